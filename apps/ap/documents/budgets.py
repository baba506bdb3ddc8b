"""Decompressed-size and pixel budgets for untrusted files, checked before any parser inflates
or renders anything (pdfminer inflates every stream without a limit; pdfium renders a page at
whatever size the file declares).

Pure functions, run inside the isolated reader process (`apps.ap.documents.reader`); the
address-space limit of that process is the backstop for what these cannot see (e.g. a stream
hidden behind another filter).
"""

from __future__ import annotations

import math
import re
import zlib

from apps.ap.documents.limits import Limits
from apps.ap.documents.refusals import BudgetExceeded

# "stream" then EOL starts a PDF stream's data; "endstream" ends it (not itself a start).
_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
_ZLIB_HEADS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")
_CHUNK = 1024 * 1024


def _inflated_size(raw: bytes, allowance: int) -> tuple[int, bytes]:
    """Bytes `raw` inflates to, counted in 1 MiB steps and stopped past `allowance`.
    Also returns the output when it is itself a zlib stream (a nested bomb), else b""."""
    inflater = zlib.decompressobj()
    total, head, kept = 0, b"", []
    data = raw
    try:
        while data:
            out = inflater.decompress(data, _CHUNK)
            if not head:
                head = out[:2]
            if head in _ZLIB_HEADS:
                kept.append(out)
            total += len(out)
            if total > allowance or not out and not inflater.unconsumed_tail:
                break
            data = inflater.unconsumed_tail
    except zlib.error:
        pass  # not deflate data (another filter, or damaged): the parsers judge it
    return total, b"".join(kept)


def pdf_inflate_check(data: bytes, name: str, limits: Limits) -> int:
    """Refuse a PDF whose deflate streams inflate past `max_decompressed_bytes` in total
    (nested deflate layers counted too). Returns the inflated total."""
    budget = limits.max_decompressed_bytes
    total = 0
    for match in _STREAM_START.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        pending = [data[start:end if end >= 0 else len(data)]]
        while pending:
            size, nested = _inflated_size(pending.pop(), budget - total)
            total += size
            if total > budget:
                raise BudgetExceeded(
                    name, "decompressed-size",
                    f"its streams inflate to more than {budget // 1048576} MB")
            if nested:
                pending.append(nested)
    return total


def render_scale(width_pt: float, height_pt: float, dpi: int, limits: Limits) -> float:
    """The scale for rendering a page at `dpi`, lowered so the bitmap stays within
    `max_render_pixels`."""
    wanted = dpi / 72
    area = max(width_pt * height_pt, 1.0)
    return min(wanted, math.sqrt(limits.max_render_pixels / area))


def page_size_check(width_pt: float, height_pt: float, name: str, number: int,
                    limits: Limits) -> None:
    if width_pt > limits.max_page_points or height_pt > limits.max_page_points:
        raise BudgetExceeded(
            name, "page-size",
            f"page {number} is {width_pt:.0f}×{height_pt:.0f} points; the limit is "
            f"{limits.max_page_points:.0f}")


def image_pixels_check(width: int, height: int, name: str, limits: Limits) -> None:
    if width * height > limits.max_image_pixels:
        raise BudgetExceeded(
            name, "pixel",
            f"the image is {width}×{height} pixels; the limit is "
            f"{limits.max_image_pixels // 1_000_000} megapixels")
