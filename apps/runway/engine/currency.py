"""Money tagged with its currency, exchange rates and the one conversion rule (DESIGN §4b).

A ``Money`` knows its currency and refuses to be added to another currency's money, so a sum
that mixes currencies fails loudly instead of adding 10,000 EUR as 10,000 USD. The only way
from a foreign amount to home money is ``convert``: amount × rate (home units per one foreign
unit), rounded to cents half-up — each item on its own, before any sum.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import ZERO, to_cents


class CurrencyMismatch(TypeError):
    """Two currencies met in one sum."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money.amount must be Decimal, got {type(self.amount).__name__}")
        if not self.currency:
            raise ValueError("Money needs a currency")

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented  # type: ignore[return-value]
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        other = self._same(other)
        if other is NotImplemented:
            return NotImplemented
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        other = self._same(other)
        if other is NotImplemented:
            return NotImplemented
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)


def total(items: Iterable[Money], currency: str) -> Money:
    """Σ items, all in ``currency`` (a foreign item raises ``CurrencyMismatch``)."""
    result = Money(ZERO, currency)
    for item in items:
        result = result + item
    return result


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """QBO's ExchangeRate: ``rate`` home units per one unit of ``currency`` on ``as_of``."""

    currency: str
    rate: Decimal
    as_of: date

    def __post_init__(self) -> None:
        if not isinstance(self.rate, Decimal):
            raise TypeError("ExchangeRate.rate must be Decimal")
        if self.rate <= 0:
            raise ValueError(f"exchange rate must be positive: {self.rate}")


def rate_text(rate: Decimal) -> str:
    """A rate without the trailing zeros of its storage (1.0800000000 → "1.08", 2 → "2")."""
    text = format(rate.normalize(), "f")
    return text


def convert(money: Money, rate: Decimal, home: str) -> Money:
    """``money`` in home currency at ``rate``, rounded to cents half-up. Home money is returned
    unchanged (rounded to cents), whatever the rate."""
    if money.currency == home:
        return Money(to_cents(money.amount), home)
    return Money(to_cents(money.amount * rate), home)


class Rates:
    """The rate history of every currency; the current rate is the latest on or before a day."""

    def __init__(self, home: str, rates: Iterable[ExchangeRate]) -> None:
        self.home = home
        by_currency: dict[str, list[ExchangeRate]] = {}
        for r in rates:
            by_currency.setdefault(r.currency, []).append(r)
        self._history = {c: sorted(rs, key=lambda r: r.as_of) for c, rs in by_currency.items()}
        self._days = {c: [r.as_of for r in rs] for c, rs in self._history.items()}

    def current(self, currency: str, as_of: date) -> ExchangeRate | None:
        """The rate with the latest ``as_of`` on or before ``as_of`` (None if there is none);
        a later rate is never used. Home currency has no rate (it needs none)."""
        history = self._history.get(currency)
        if not history:
            return None
        i = bisect_right(self._days[currency], as_of)
        return history[i - 1] if i else None

    def to_home(self, money: Money, as_of: date) -> tuple[Money, ExchangeRate | None] | None:
        """``money`` at the current rate (with the rate used); None when no rate is known."""
        if money.currency == self.home:
            return convert(money, Decimal(1), self.home), None
        rate = self.current(money.currency, as_of)
        if rate is None:
            return None
        return convert(money, rate.rate, self.home), rate
