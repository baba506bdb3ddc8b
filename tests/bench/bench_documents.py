"""Bill document extraction: field-level accuracy on a generated corpus with known fields
(target ≥ 95 % on text PDFs) and documents per minute. Scanned images are measured when the
machine has Tesseract, and reported as not measured otherwise."""

from __future__ import annotations

import time

from tests.bench.harness import Result

FIELDS = ("vendor", "number", "bill_date", "due_date", "total", "currency")


def _score(samples, blobs, name: str):
    from apps.ap.documents.limits import Limits
    from apps.ap.documents.pipeline import document_extract
    from apps.ap.documents.vendors import VendorChoice
    from tests.bench.documents_corpus import VENDORS

    vendors = [VendorChoice(i, str(i), v[0]) for i, v in enumerate(VENDORS)]
    right = total = 0
    started = time.perf_counter()
    for sample, blob in zip(samples, blobs, strict=True):
        got = document_extract(blob, name=name, limits=Limits(), vendors=vendors)
        f = got.fields
        pairs = {
            "vendor": (got.vendor.vendor.name if got.vendor.vendor else None, sample.vendor),
            "number": (f.bill_number.value, sample.number),
            "bill_date": (f.bill_date.value, sample.bill_date),
            "due_date": (f.due_date.value, sample.due_date),
            "total": (f.total.value, sample.total),
            "currency": (f.currency.value, sample.currency),
        }
        right += sum(1 for a, b in pairs.values() if a == b)
        total += len(pairs)
    seconds = time.perf_counter() - started
    return right / total * 100, len(samples) / seconds * 60


def run(quick: bool) -> list[Result]:
    from apps.ap.documents.text import ocr_available
    from tests.bench.documents_corpus import corpus, render_pdf, scanned_image

    samples = corpus(24 if quick else 120)
    pdfs = [render_pdf(s) for s in samples]
    accuracy, per_minute = _score(samples, pdfs, "bill.pdf")
    results = [
        Result(name="Document extraction accuracy, text PDFs (field level)",
               figure=round(accuracy, 1), unit="%", target="≥ 95 %", passed=accuracy >= 95,
               notes=f"{len(samples)} generated bills, 4 layouts, 6 fields each"),
        Result(name="Document extraction throughput, text PDFs", figure=round(per_minute),
               unit="docs/min", target="—", passed=None,
               notes="pipeline only (check, text, fields, vendor match), one process"),
    ]
    if not ocr_available():
        results.append(Result(name="Document extraction accuracy, scanned images (OCR)",
                              figure=0, unit="%", target="—", passed=None,
                              notes="Tesseract not installed: not measured"))
        return results
    scans = samples[: 8 if quick else 40]
    images = [scanned_image(pdf, i) for i, pdf in enumerate(pdfs[: len(scans)])]
    accuracy, per_minute = _score(scans, images, "scan.jpg")
    results += [
        Result(name="Document extraction accuracy, scanned images (OCR)",
               figure=round(accuracy, 1), unit="%", target="—", passed=None,
               notes=f"{len(scans)} scans at 150 dpi, rotated, speckled, JPEG q70"),
        Result(name="Document extraction throughput, scanned images (OCR)",
               figure=round(per_minute, 1), unit="docs/min", target="—", passed=None),
    ]
    return results
