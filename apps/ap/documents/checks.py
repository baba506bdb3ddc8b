"""What a file is, by its content (never its name), and whether it is safe to parse.

Every refusal is a `DocumentRefused` whose message is written for the person who sent the file.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from apps.ap.documents.budgets import image_pixels_check, page_size_check
from apps.ap.documents.limits import Limits
from apps.ap.documents.refusals import BudgetExceeded, DocumentRefused

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}


def sniff(head: bytes) -> str | None:
    """The content type from the first bytes; None for anything we do not accept."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    # PDF readers accept the header anywhere in the first 1024 bytes; so do we.
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def check_upload(name: str, size: int, head: bytes, limits: Limits) -> str:
    """Cheap checks done at intake (before storing): size and type. Returns the content type."""
    if size == 0:
        raise DocumentRefused(f"{name}: the file is empty.")
    if size > limits.max_bytes:
        raise DocumentRefused(
            f"{name}: the file is {size / 1048576:.1f} MB; the limit is "
            f"{limits.max_bytes // 1048576} MB. Please send a smaller scan or a PDF."
        )
    kind = sniff(head)
    if kind is None:
        raise DocumentRefused(
            f"{name}: this is not a PDF, PNG or JPEG file (whatever its name says). "
            "Please send the bill as a PDF or a photo."
        )
    return kind


@dataclass
class PdfInfo:
    pages: int


def check_pdf(data: bytes, name: str, limits: Limits) -> PdfInfo:
    """Open the PDF structure (no rendering): encrypted, corrupt, too many or too large pages."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                # An empty user password is common ("owner password" only): still readable.
                try:
                    if not reader.decrypt(""):
                        raise DocumentRefused(
                            f"{name}: the PDF is password-protected. Please send a copy "
                            "without a password."
                        )
                except DocumentRefused:
                    raise
                except Exception:
                    raise DocumentRefused(
                        f"{name}: the PDF is password-protected. Please send a copy without "
                        "a password."
                    )
            pages = len(reader.pages)
            if pages == 0:
                raise DocumentRefused(f"{name}: the PDF has no pages.")
            if pages > limits.max_pages:
                raise DocumentRefused(
                    f"{name}: the PDF has {pages} pages; the limit is {limits.max_pages}. "
                    "Please send the bill on its own."
                )
            for number, page in enumerate(reader.pages, start=1):
                # /UserUnit multiplies every coordinate: a 1,000-point box can be 75 km wide.
                box, unit = page.mediabox, float(page.user_unit or 1)
                page_size_check(float(box.width) * unit, float(box.height) * unit, name,
                                number, limits)
    except DocumentRefused:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many types on broken files
        raise DocumentRefused(
            f"{name}: the PDF is damaged and cannot be read ({type(exc).__name__}). "
            "Please export or scan it again."
        ) from exc
    return PdfInfo(pages=pages)


def check_image(data: bytes, name: str, limits: Limits) -> tuple[int, int]:
    """Read the image header only; refuse decompression bombs before any pixel is decoded."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image_pixels_check(width, height, name, limits)
            image.verify()  # structure check; does not decode all pixels
    except DocumentRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise BudgetExceeded(name, "pixel", "Pillow's decompression-bomb check") from exc
    except Exception as exc:
        raise DocumentRefused(
            f"{name}: the image is damaged and cannot be read. Please take the photo again."
        ) from exc
    return width, height
