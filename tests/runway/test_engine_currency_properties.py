"""Property tests (hypothesis) for money in several currencies (DESIGN §4b)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.runway.engine import (
    CurrencyMismatch,
    ExchangeRate,
    Money,
    RunwayInputs,
    compute_runway,
    convert,
    require_home,
    to_home,
)
from apps.runway.engine.currency import total
from apps.runway.engine.money import to_cents

from .engine_helpers import bank, bill, inv

AS_OF = date(2026, 11, 25)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CURRENCIES = ("USD", "EUR", "CAD", "GBP")

cents = st.integers(min_value=-10_000_000_00, max_value=10_000_000_00).map(
    lambda c: Decimal(c).scaleb(-2))
rates = st.integers(min_value=1, max_value=5_000_000).map(lambda r: Decimal(r).scaleb(-6))
monies = st.builds(Money, cents, st.sampled_from(CURRENCIES))


@SETTINGS
@given(st.lists(monies, max_size=20))
def test_no_sum_ever_mixes_currencies(items):
    currencies = {m.currency for m in items}
    for currency in CURRENCIES:
        if currencies <= {currency}:
            assert total(items, currency).amount == sum((m.amount for m in items), Decimal(0))
        else:
            with pytest.raises(CurrencyMismatch):
                total(items, currency)


@SETTINGS
@given(st.lists(st.tuples(cents, rates), max_size=20))
def test_converting_then_summing_equals_summing_the_rounded_converted_items(items):
    converted = [convert(Money(amount, "EUR"), rate, "USD") for amount, rate in items]
    assert all(c.currency == "USD" for c in converted)
    assert total(converted, "USD").amount == sum(
        (to_cents(amount * rate) for amount, rate in items), Decimal(0))


@st.composite
def multi_currency_books(draw) -> RunwayInputs:
    def cur():
        return draw(st.sampled_from(("", "USD", "EUR", "CAD")))

    accounts = tuple(replace(bank(f"a{i}", str(draw(cents))), currency=cur())
                     for i in range(draw(st.integers(0, 5))))
    bills = tuple(replace(bill(f"B{i}", AS_OF + timedelta(days=draw(st.integers(-40, 80))),
                               str(abs(draw(cents)) + 1)), currency=cur())
                  for i in range(draw(st.integers(0, 6))))
    invoices = tuple(replace(inv(f"I{i}", AS_OF + timedelta(days=draw(st.integers(-40, 80))),
                                 str(abs(draw(cents)) + 1)), currency=cur())
                     for i in range(draw(st.integers(0, 6))))
    known = draw(st.lists(st.sampled_from(("EUR", "CAD")), unique=True))
    fx = tuple(ExchangeRate(c, draw(rates), AS_OF - timedelta(days=draw(st.integers(0, 30))))
               for c in known)
    later = tuple(ExchangeRate(c, draw(rates), AS_OF + timedelta(days=1)) for c in known)
    return RunwayInputs(accounts=accounts, open_bills=bills, open_invoices=invoices,
                        rates=fx + later, currency="USD")


@SETTINGS
@given(multi_currency_books())
def test_every_figure_is_the_sum_of_items_converted_one_by_one_or_left_out_and_flagged(books):
    current = {r.currency: r.rate for r in books.rates if r.as_of <= AS_OF}

    def home(amount: Decimal, currency: str) -> Decimal | None:
        if currency in ("", "USD"):
            return amount
        rate = current.get(currency)
        return None if rate is None else to_cents(amount * rate)

    converted = to_home(books, AS_OF)
    require_home(converted)
    result = compute_runway(books, AS_OF)
    expected_cash = [home(a.balance, a.currency) for a in books.accounts]
    expected_ap = [home(b.balance, b.currency) for b in books.open_bills]
    expected_ar = [home(i.balance, i.currency) for i in books.open_invoices]
    assert result.cash == sum((x for x in expected_cash if x is not None), Decimal(0))
    assert result.ap_aging.total == sum((x for x in expected_ap if x is not None), Decimal(0))
    assert result.ar_aging.total == sum((x for x in expected_ar if x is not None), Decimal(0))
    left_out = sum(x is None for x in expected_cash + expected_ap + expected_ar)
    flags = [f for f in result.flags if f.code == "currency_rate_missing"]
    assert len(flags) == left_out
