"""The isolated reader: the only code that parses an untrusted file's bytes.

Run by `apps.ap.documents.isolation` as `python -m apps.ap.documents.reader OP INPUT LIMITS`,
in a process of its own with no secrets in its environment. Before it reads a byte of the file
it caps its own address space, CPU seconds and the size of what it may write; the parent adds a
wall-clock limit. OPs:

- ``read``: check the file (type, pages, page size, pixels, inflated size) and take its text
  (pdfplumber, or OCR); writes one JSON object to stdout.
- ``render PAGE DPI``: one page as PNG bytes on stdout (the staff preview).

A refusal is a JSON ``{"refused": message, "budget": name}`` with exit status 0; running out of
memory exits with `MEMORY_EXIT` (or dies by a signal, which the parent reads as a crash).
"""

from __future__ import annotations

import errno
import io
import json
import os
import resource
import sys
import warnings

MEMORY_EXIT = 86
OUTPUT_EXIT = 87  # the answer is longer than the output budget
TEMP_FILE_BYTES = 64 * 1024 * 1024


def _cap_self(limits: dict) -> None:
    memory, cpu, output = (limits["reader_memory_bytes"], limits["reader_cpu_s"],
                           limits["reader_output_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    # Files it writes (OCR page images) stay under this; its answer is capped in `_answer`.
    files = max(output, TEMP_FILE_BYTES)
    resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _read(data: bytes, limits, name: str) -> dict:
    from apps.ap.documents.budgets import pdf_inflate_check
    from apps.ap.documents.checks import PDF, check_image, check_pdf, sniff
    from apps.ap.documents.text import document_text

    kind = sniff(data[:1024])
    if kind == PDF:
        pages = check_pdf(data, name, limits).pages
        pdf_inflate_check(data, name, limits)
    else:
        check_image(data, name, limits)  # raises for anything that is not an image
        pages = 1
    text = document_text(data, kind or "", limits)
    return {"content_type": kind or "", "pages": pages, "method": text.method,
            "note": text.note, "lines": [[ln.text, ln.size, ln.top] for ln in text.lines]}


def _render(data: bytes, limits, page: int, dpi: int) -> bytes:
    from PIL import Image

    from apps.ap.documents.checks import PDF, check_image, sniff
    from apps.ap.documents.text import pdf_page_render

    if sniff(data[:1024]) == PDF:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            image = pdf_page_render(pdf, min(max(page, 1), len(pdf)) - 1, dpi, limits)
        finally:
            pdf.close()
    else:
        check_image(data, "the file", limits)
        image = Image.open(io.BytesIO(data))
        image.thumbnail((1400, 1800))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    op, path, raw_limits = argv[0], argv[1], json.loads(argv[2])
    _cap_self(raw_limits)
    warnings.simplefilter("ignore")
    from PIL import Image

    from apps.ap.documents.limits import Limits
    from apps.ap.documents.refusals import BudgetExceeded, DocumentRefused

    limits = Limits(**raw_limits)
    # Pillow refuses to decode past twice this; the budget itself is checked on the header.
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels // 2
    with open(path, "rb") as handle:
        data = handle.read()
    name = os.environ.get("READER_FILE_NAME", "the file")
    try:
        if op == "read":
            answer = json.dumps(_read(data, limits, name)).encode()
        else:
            answer = _render(data, limits, int(argv[3]), int(argv[4]))
    except DocumentRefused as exc:
        budget = exc.budget if isinstance(exc, BudgetExceeded) else ""
        answer = json.dumps({"refused": str(exc), "budget": budget}).encode()
    except MemoryError:
        os._exit(MEMORY_EXIT)
    if len(answer) > limits.reader_output_bytes:
        os._exit(OUTPUT_EXIT)
    try:
        sys.stdout.buffer.write(answer)
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            os._exit(OUTPUT_EXIT)
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
