"""The extraction pipeline: explicit ordered steps over one file, returning a typed outcome.

    read (check + text, in the isolated reader process) → fields → vendor → verdict

Pure (no database): duplicate detection and storing happen in `services.document_process`, so
the benchmark measures exactly this code. A refused file raises `DocumentRefused` (a file over
a parsing budget: `BudgetExceeded`). Only the "read" step touches the file's bytes, and it does
so in a separate, limited process (`apps.ap.documents.isolation`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from apps.ap.documents.fields import Fields, fields_extract
from apps.ap.documents.isolation import ReaderRun, isolated_read
from apps.ap.documents.limits import Limits
from apps.ap.documents.text import DocumentText, TextLine
from apps.ap.documents.vendors import VendorChoice, VendorMatch, vendor_match

READY_CONFIDENCE = 0.8  # every required field at least this sure → "ready"
REQUIRED = ("vendor", "bill_date", "total")


@dataclass
class Extraction:
    content_type: str = ""
    pages: int = 0
    text: DocumentText | None = None
    fields: Fields = field(default_factory=Fields)
    vendor: VendorMatch | None = None
    notes: list[str] = field(default_factory=list)
    timings_ms: dict[str, int] = field(default_factory=dict)
    reader: ReaderRun | None = None

    def confidence_of(self, name: str) -> float:
        if name == "vendor":
            return self.vendor.confidence if self.vendor else 0.0
        return getattr(self.fields, name).confidence

    @property
    def confidence(self) -> float:
        """The weakest required field: a bill is only as sure as its least sure part."""
        return min(self.confidence_of(name) for name in REQUIRED)

    @property
    def ready(self) -> bool:
        return self.confidence >= READY_CONFIDENCE and not self.notes


@dataclass
class Context:
    data: bytes
    name: str
    limits: Limits
    vendors: list[VendorChoice]
    currency: str = "USD"
    day_first: bool = False
    result: Extraction = field(default_factory=Extraction)


def step_read(ctx: Context) -> None:
    read = isolated_read(ctx.data, name=ctx.name, limits=ctx.limits)
    ctx.result.content_type, ctx.result.pages, ctx.result.reader = (
        read.content_type, read.pages, read.run)
    ctx.result.text = DocumentText(
        method=read.method, note=read.note,
        lines=[TextLine(text=t, size=float(size), top=float(top)) for t, size, top in read.lines])
    if ctx.result.text.note:
        ctx.result.notes.append(ctx.result.text.note)


def step_fields(ctx: Context) -> None:
    lines = ctx.result.text.lines if ctx.result.text else []
    ctx.result.fields = fields_extract(lines, currency=ctx.currency, day_first=ctx.day_first)


def step_vendor(ctx: Context) -> None:
    text = ctx.result.text.text if ctx.result.text else ""
    ctx.result.vendor = vendor_match(ctx.result.fields.vendor_name.value, text, ctx.vendors)


STEPS: list[tuple[str, Callable[[Context], None]]] = [
    ("read", step_read),
    ("fields", step_fields),
    ("vendor", step_vendor),
]


def document_extract(
    data: bytes, *, name: str, limits: Limits, vendors: list[VendorChoice],
    currency: str = "USD", day_first: bool = False,
) -> Extraction:
    ctx = Context(data=data, name=name, limits=limits, vendors=vendors, currency=currency,
                  day_first=day_first)
    for step_name, step in STEPS:
        started = time.perf_counter()
        step(ctx)
        ctx.result.timings_ms[step_name] = int((time.perf_counter() - started) * 1000)
    return ctx.result
