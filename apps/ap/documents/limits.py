"""Upload and parsing limits, each overridable by a setting of the same name.

The parsing budgets (memory, time, pixels, decompressed bytes, output) are enforced in the
isolated reader process (`apps.ap.documents.isolation`); see docs/documents.md "Budgets".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 50
    max_image_pixels: int = 40_000_000  # ~ A4 at 600 dpi is 35 Mpx; beyond is a bomb
    # PDF user-space units × UserUnit: 5,000 points is 69 inches, larger than any paper bill
    # (PDF's own maximum, 14,400, lets one page render to gigapixels).
    max_page_points: float = 5_000.0
    max_render_pixels: int = 12_000_000  # one rendered page (OCR or preview), scale lowered to fit
    max_decompressed_bytes: int = 64 * 1024 * 1024  # all of a PDF's streams, inflated
    ocr_pages: int = 5  # OCR reads at most this many pages of a scanned PDF
    ocr_dpi: int = 200
    ocr_timeout_s: int = 60
    # The reader process: address space, CPU seconds, wall seconds, bytes it may write back.
    reader_memory_bytes: int = 1024 * 1024 * 1024
    reader_cpu_s: int = 60
    reader_wall_s: int = 90
    reader_output_bytes: int = 8 * 1024 * 1024
    preview_wall_s: int = 20
    soft_time_limit_s: int = 120
    max_files_per_upload: int = 20

    @property
    def hard_time_limit_s(self) -> int:
        """Celery kills the reading task here (time_limit): nothing reads a file longer."""
        return self.soft_time_limit_s + 30

    def as_json(self) -> dict:
        return asdict(self)


def current_limits() -> Limits:
    overrides = getattr(settings, "DOCUMENTS_LIMITS", {}) if settings.configured else {}
    return Limits(**overrides)
