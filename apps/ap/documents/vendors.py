"""Matching an extracted vendor name to the business's QBO vendors (normalised, fuzzy)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

SUFFIXES = {"inc", "incorporated", "llc", "ltd", "limited", "co", "corp", "corporation",
            "company", "plc", "gmbh", "pty", "the", "and", "sa", "srl", "bv", "lp", "llp"}
SURE, POSSIBLE = 90.0, 75.0


@dataclass(frozen=True)
class VendorChoice:
    id: int
    qbo_id: str
    name: str


@dataclass(frozen=True)
class VendorMatch:
    vendor: VendorChoice | None
    confidence: float
    how: str


def vendor_name_normalise(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    kept = [w for w in words if w not in SUFFIXES]
    return " ".join(kept or words)


def vendor_match(name: str | None, text: str, vendors: list[VendorChoice]) -> VendorMatch:
    """Best vendor for the extracted name; failing that, a vendor whose name appears in the
    document's text (letterheads often print the name in a logo the extractor skips)."""
    if not vendors:
        return VendorMatch(None, 0.0, "the business has no vendors yet")
    choices = {v: vendor_name_normalise(v.name) for v in vendors}
    if name:
        wanted = vendor_name_normalise(name)
        best = process.extractOne(wanted, choices, scorer=fuzz.token_sort_ratio)
        if best and best[1] >= SURE:
            return VendorMatch(best[2], 0.95 if best[1] >= 97 else 0.85, f"name {best[1]:.0f}%")
    head = vendor_name_normalise(" ".join(text.splitlines()[:40]))
    scored = [
        (fuzz.partial_ratio(normal, head), v) for v, normal in choices.items() if len(normal) >= 3
    ]
    scored.sort(key=lambda pair: (-pair[0], -len(choices[pair[1]])))
    if scored and scored[0][0] >= 97:
        ties = [v for s, v in scored if s >= 97]
        # Several vendors in the text (e.g. "Bill to" names one of ours): trust the longest.
        return VendorMatch(scored[0][1], 0.9 if len(ties) == 1 else 0.7, "name found in text")
    if name:
        best = process.extractOne(
            vendor_name_normalise(name), choices, scorer=fuzz.token_sort_ratio
        )
        if best and best[1] >= POSSIBLE:
            return VendorMatch(best[2], 0.6, f"similar name {best[1]:.0f}%")
    return VendorMatch(None, 0.0, "no vendor with a similar name")
