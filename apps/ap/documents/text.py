"""Text out of a document: pdfplumber for PDFs with a text layer, Tesseract OCR otherwise.

OCR runs the `tesseract` command line (no Python binding needed). When the machine has no
Tesseract, `ocr_available()` is False and the pipeline says so in the document's review notes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from apps.ap.documents.budgets import page_size_check, render_scale
from apps.ap.documents.limits import Limits

MIN_TEXT_CHARS = 25  # fewer characters than this on a PDF means "scanned": try OCR


@dataclass
class TextLine:
    text: str
    size: float = 0.0  # largest font size on the line (0 when unknown, e.g. OCR)
    top: float = 0.0  # distance from the top of the first page


@dataclass
class DocumentText:
    method: str  # "pdf_text" | "ocr" | "none"
    lines: list[TextLine] = field(default_factory=list)
    note: str = ""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def ocr_available() -> bool:
    return tesseract_path() is not None


def _lines_from_words(words: list[dict], offset: float) -> list[TextLine]:
    """Group pdfplumber words into lines by their top coordinate (3 pt tolerance)."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= 3:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        # A wide gap between words is a column break: keep it visible as two spaces.
        parts, previous = [], None
        for word in row:
            if previous is not None and word["x0"] - previous["x1"] > 12:
                parts.append("  ")
            elif previous is not None:
                parts.append(" ")
            parts.append(word["text"])
            previous = word
        lines.append(TextLine(
            text="".join(parts).strip(),
            size=max(float(w.get("size") or 0) for w in row),
            top=offset + float(row[0]["top"]),
        ))
    return lines


def pdf_text(data: bytes, max_pages: int) -> list[TextLine]:
    import pdfplumber

    lines: list[TextLine] = []
    offset = 0.0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages[:max_pages]:
            words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False)
            lines.extend(_lines_from_words(words, offset))
            offset += float(page.height)
    return [line for line in lines if line.text]


def _run_tesseract(image_path: Path, limits: Limits) -> str:
    result = subprocess.run(
        [tesseract_path() or "tesseract", str(image_path), "stdout", "--psm", "4"],
        capture_output=True, timeout=limits.ocr_timeout_s, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.decode(errors="replace")[:300])
    return result.stdout.decode(errors="replace")


def pdf_page_render(pdf, index: int, dpi: int, limits: Limits, name: str = "the file"):
    """One PDF page as a PIL image: pdfium's own page size checked, scale capped by pixels."""
    page = pdf[index]
    width, height = page.get_size()
    page_size_check(width, height, name, index + 1, limits)
    return page.render(scale=render_scale(width, height, dpi, limits)).to_pil()


def _images_for_ocr(data: bytes, content_type: str, limits: Limits) -> list[bytes]:
    """PNG bytes per page: the image itself, or a scanned PDF's pages rendered by pdfium."""
    if content_type != "application/pdf":
        return [data]
    import pypdfium2 as pdfium

    pages = []
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(min(len(pdf), limits.ocr_pages)):
            buffer = io.BytesIO()
            pdf_page_render(pdf, index, limits.ocr_dpi, limits).save(buffer, format="PNG")
            pages.append(buffer.getvalue())
    finally:
        pdf.close()
    return pages


def ocr_text(data: bytes, content_type: str, limits: Limits) -> list[TextLine]:
    lines: list[TextLine] = []
    with tempfile.TemporaryDirectory(prefix="oodaloo-ocr-") as tmp:
        for number, image in enumerate(_images_for_ocr(data, content_type, limits)):
            path = Path(tmp) / f"page{number}.png"
            path.write_bytes(image)
            for raw in _run_tesseract(path, limits).splitlines():
                if raw.strip():
                    lines.append(TextLine(text=" ".join(raw.split()), top=len(lines)))
    return lines


def document_text(data: bytes, content_type: str, limits: Limits) -> DocumentText:
    """Step 'text': the PDF's own text layer first; OCR when there is none (or an image)."""
    if content_type == "application/pdf":
        lines = pdf_text(data, limits.max_pages)
        if sum(len(line.text) for line in lines) >= MIN_TEXT_CHARS:
            return DocumentText(method="pdf_text", lines=lines)
    if not ocr_available():
        return DocumentText(
            method="none",
            note="OCR unavailable: this is a scan or photo and the server has no Tesseract, "
            "so the fields must be typed in by hand.",
        )
    lines = ocr_text(data, content_type, limits)
    if not lines:
        return DocumentText(method="ocr", note="OCR found no text on this document.")
    return DocumentText(method="ocr", lines=lines)
