"""Money and number helpers with named rounding rules.

Every figure the engine shows is a ``Decimal``. Sums of cent amounts are exact; only divisions
round, and each one says how (see docs/runway.md, "Rounding").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ONE = Decimal("1")

# Named rule: commercial rounding, halves away from zero (2.345 -> 2.35, -2.345 -> -2.35).
# Symmetric around zero, so an impact and its inverse round to exact opposites.
MONEY_ROUNDING = ROUND_HALF_UP


def as_money(value: Decimal | int | str) -> Decimal:
    """Convert to Decimal without ever passing through float."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")
    if isinstance(value, Decimal):
        return value
    return Decimal(value)


def to_cents(value: Decimal) -> Decimal:
    """Round to cents, half away from zero."""
    return value.quantize(CENT, rounding=MONEY_ROUNDING)


def to_tenth(value: Decimal) -> Decimal:
    """Round to one decimal place (runway days, habit averages, DSO), half away from zero."""
    return value.quantize(TENTH, rounding=MONEY_ROUNDING)


def to_whole(value: Decimal) -> int:
    """Round to a whole number (days), half away from zero."""
    return int(value.quantize(ONE, rounding=MONEY_ROUNDING))


def ratio_whole(num: int, den: int) -> int:
    """``to_whole(Decimal(num) / den)`` for integers (den > 0), without Decimal arithmetic."""
    whole = (2 * abs(num) + den) // (2 * den)
    return -whole if num < 0 else whole


def ratio_tenth(num: int, den: int) -> Decimal:
    """``to_tenth(Decimal(num) / den)`` for integers (den > 0) — same digits and exponent, and
    the sign of a negative that rounds to 0.0, which quantize keeps."""
    tenth = Decimal((20 * abs(num) + den) // (2 * den)).scaleb(-1)
    return tenth.copy_negate() if num < 0 else tenth


def median(values: list[Decimal]) -> Decimal:
    """Exact median: the middle value, or the mean of the two middle values."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def fmt_money(value: Decimal, currency: str = "USD") -> str:
    """Human form for sentences: $1,234.50 (other currencies: 1,234.50 EUR)."""
    amount = to_cents(value)
    sign = "-" if amount < 0 else ""
    body = f"{abs(amount):,.2f}"
    if currency == "USD":
        return f"{sign}${body}"
    return f"{sign}{body} {currency}"


def fmt_days(value: Decimal) -> str:
    """Days with one decimal for sentences."""
    return f"{to_tenth(value)}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
