"""Decimal money helpers: amounts are computed as Decimal and only turned into JSON numbers
at the very end (QBO and Plaid both write amounts as JSON numbers)."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(n: int) -> Decimal:
    """An integer number of cents as a 2-decimal Decimal."""
    return Decimal(n).scaleb(-2)


def rand_amount(rng: random.Random, lo: float, hi: float) -> Decimal:
    return cents(rng.randint(round(lo * 100), round(hi * 100)))


def q(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def scaled(x: Decimal, factor: float, step: int = 0) -> Decimal:
    """x * factor, rounded to cents, or to a whole multiple of `step` dollars when step > 0
    (retainers and rents are round numbers in real books)."""
    value = x * Decimal(repr(factor))
    if step:
        steps = int((value / step).to_integral_value(ROUND_HALF_UP))
        return Decimal(max(step, steps * step)).quantize(CENT)
    return q(value)


def num(x: Decimal) -> float:
    """JSON number for a 2-decimal Decimal (repr of the float is the shortest exact form)."""
    return float(x)
