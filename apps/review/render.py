"""Document pages as PNG for the staff change form (no PDF in an iframe: CSP forbids frames)."""

from __future__ import annotations

import io

PREVIEW_DPI = 110


def page_png(data: bytes, content_type: str, page: int) -> bytes:
    from PIL import Image

    if content_type == "application/pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            index = min(max(page, 1), len(pdf)) - 1
            image = pdf[index].render(scale=PREVIEW_DPI / 72).to_pil()
        finally:
            pdf.close()
    else:
        image = Image.open(io.BytesIO(data))
        image.thumbnail((1400, 1800))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()
