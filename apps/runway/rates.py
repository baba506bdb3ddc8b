"""Bills and invoices in another currency, as people see them: their own amount, and home money
at today's rate (the rate the runway uses, DESIGN §4b). One query per page (or tray), also when
every document is in the home currency: a page costs the same queries whatever its rows
(DESIGN §8)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from apps.ledger.models import ExchangeRate
from apps.runway.engine import Money, convert
from apps.runway.engine.currency import rate_text


def with_today_rates(docs: Iterable[Any], home: str, today: date) -> None:
    """Set ``today_home_balance`` (None: no rate yet), ``today_rate_text`` and
    ``today_rate_date`` on every foreign document (bills, invoices); on home ones
    ``today_home_balance`` is their ``home_balance``."""
    docs = [d for d in docs if d is not None]
    for d in docs:
        d.today_home_balance = d.home_balance
    docs = [d for d in docs if d.currency and d.currency != home]
    # Every foreign currency's latest rate, read whether or not a document needs one (a
    # filter on the documents' currencies would skip the query when there are none).
    rates = {
        r.source_currency: r
        for r in ExchangeRate.objects.live()
        .filter(target_currency=home, as_of__lte=today)
        .exclude(source_currency=home)
        .order_by("source_currency", "-as_of")
        .distinct("source_currency")
    }
    for d in docs:
        rate = rates.get(d.currency)
        d.today_home_balance = (convert(Money(d.balance, d.currency), rate.rate, home).amount
                                if rate else None)
        d.today_rate_text = rate_text(rate.rate) if rate else ""
        d.today_rate_date = rate.as_of if rate else None
