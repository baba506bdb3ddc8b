"""Bad files are refused with a message for the sender; nothing crashes or hangs."""

import io

import pytest
from pypdf import PdfWriter

from apps.ap.documents.checks import DocumentRefused, check_upload
from apps.ap.documents.limits import Limits
from apps.ap.documents.pipeline import document_extract
from apps.ap.documents.text import ocr_available

LIMITS = Limits()


def _pdf(pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _extract(data: bytes, name: str = "bill.pdf"):
    return document_extract(data, name=name, limits=LIMITS, vendors=[])


def test_a_pdf_name_on_something_else_is_refused_by_content():
    with pytest.raises(DocumentRefused, match="not a PDF, PNG or JPEG"):
        check_upload("bill.pdf", 20, b"MZ\x90\x00 not a pdf at all", LIMITS)


def test_sixty_megabytes_is_refused_before_reading():
    with pytest.raises(DocumentRefused, match="60.0 MB; the limit is 20 MB"):
        check_upload("huge.pdf", 60 * 1024 * 1024, b"%PDF-1.7", LIMITS)


def test_encrypted_pdf_asks_for_a_copy_without_password():
    with pytest.raises(DocumentRefused, match="password-protected"):
        _extract(_pdf(password="secret"))


def test_corrupt_pdf_is_reported_as_damaged():
    data = _pdf()
    with pytest.raises(DocumentRefused, match="damaged"):
        _extract(b"%PDF-1.7\n" + data[200:260])


def test_three_hundred_pages_is_over_the_page_limit():
    with pytest.raises(DocumentRefused, match="300 pages; the limit is 50"):
        _extract(_pdf(pages=300))


def test_giant_pdf_page_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=100_000, height=100_000)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentRefused, match="exceeds the page-size budget"):
        _extract(buffer.getvalue())


def test_decompression_bomb_image_is_refused_before_decoding():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG")  # 400 Mpx in a few KB
    assert len(buffer.getvalue()) < 200_000
    with pytest.raises(DocumentRefused, match="exceeds the pixel budget"):
        _extract(buffer.getvalue(), "photo.png")


def test_truncated_jpeg_is_refused():
    with pytest.raises(DocumentRefused):
        _extract(b"\xff\xd8\xff\xe0" + b"\x00" * 50, "photo.jpg")


@pytest.mark.parametrize("tesseract", [ocr_available()],
                         ids=[f"tesseract={'present' if ocr_available() else 'absent'}"])
def test_a_photo_is_read_by_ocr_or_clearly_marked(tesseract):
    """Both outcomes are asserted: OCR text when Tesseract is installed, the explicit
    'OCR unavailable' note (never ready) when it is not."""
    from tests.bench.documents_corpus import corpus, render_pdf, scanned_image

    sample = corpus(1)[0]
    image = scanned_image(render_pdf(sample))
    got = _extract(image, "scan.jpg")
    if tesseract:
        assert got.text.method == "ocr"
        assert got.fields.total.value == sample.total
    else:
        assert got.text.method == "none" and not got.ready
        assert any(note.startswith("OCR unavailable") for note in got.notes)
