"""Upload and parsing limits, each overridable by a setting of the same name."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 50
    max_image_pixels: int = 40_000_000  # ~ A4 at 600 dpi is 35 Mpx; beyond is a bomb
    max_page_points: float = 14_400.0  # PDF user-space units (200 inches): PDF's own maximum
    ocr_pages: int = 5  # OCR reads at most this many pages of a scanned PDF
    ocr_dpi: int = 200
    ocr_timeout_s: int = 60
    soft_time_limit_s: int = 120
    max_files_per_upload: int = 20


def current_limits() -> Limits:
    overrides = getattr(settings, "DOCUMENTS_LIMITS", {}) if settings.configured else {}
    return Limits(**overrides)
