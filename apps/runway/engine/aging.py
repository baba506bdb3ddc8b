"""Aging of open balances and the DSO / DPO ratios."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .burn import BURN_WINDOW_DAYS
from .inputs import IssuedDocument
from .money import ZERO, to_tenth

BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d90_plus")


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class Aging:
    current: Decimal = ZERO
    d1_30: Decimal = ZERO
    d31_60: Decimal = ZERO
    d61_90: Decimal = ZERO
    d90_plus: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.current + self.d1_30 + self.d31_60 + self.d61_90 + self.d90_plus


def bucket_of(days_past_due: int) -> str:
    """0 or less: current; 1–30; 31–60; 61–90; 91 and more: d90_plus."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "d1_30"
    if days_past_due <= 60:
        return "d31_60"
    if days_past_due <= 90:
        return "d61_90"
    return "d90_plus"


def age(items: Iterable[tuple[date, Decimal]], as_of: date) -> Aging:
    """``items``: (due date, open balance). Every balance lands in exactly one bucket."""
    sums = dict.fromkeys(BUCKETS, ZERO)
    for due, balance in items:
        key = bucket_of((as_of - due).days)
        sums[key] += balance
    return Aging(**sums)


def trailing_totals(issued: tuple[IssuedDocument, ...], as_of: date) -> tuple[Decimal, Decimal]:
    """(credit sales, credit purchases) dated in the trailing 90 days."""
    start = as_of - timedelta(days=BURN_WINDOW_DAYS)
    sales = purchases = ZERO
    for doc in issued:
        if start <= doc.txn_date < as_of:
            if doc.kind == "invoice":
                sales += doc.total
            else:
                purchases += doc.total
    return sales, purchases


def days_outstanding(open_total: Decimal, trailing_total: Decimal) -> Decimal | None:
    """open ÷ trailing-90-day total × 90, one decimal; None when nothing was issued."""
    if trailing_total <= 0:
        return None
    return to_tenth(open_total * BURN_WINDOW_DAYS / trailing_total)
