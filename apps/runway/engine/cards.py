"""Credit cards (DESIGN §4b): never cash; what is owed on them, and when it is next paid.

QBO reports a liability's ``CurrentBalance`` as a negative number when money is owed, so the
amount owed is −balance when negative, else 0 (in home money: convert first). The card's payoff
series (payments out of a bank account to the card) projects its **first** payment at the amount
owed now, later ones at the series' median.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .cash import AccountBook
from .forecast import Forecast
from .money import ZERO


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class CardFacts:
    identity: str
    name: str
    owed: Decimal
    next_payment_date: date | None  # first projected payoff inside the horizon, if any
    next_payment_amount: Decimal | None
    series_key: str | None


def amount_owed(balance: Decimal) -> Decimal:
    return -balance if balance < 0 else ZERO


def owed_by_account(book: AccountBook) -> dict[str, Decimal]:
    """Every account key of every card → the card's amount owed."""
    return {
        key: amount_owed(view.balance)
        for view in book.views.values()
        if view.kind == "credit_card"
        for key in view.account_keys
    }


def card_facts(book: AccountBook, forecast: Forecast) -> tuple[CardFacts, ...]:
    out = []
    for view in sorted(book.views.values(), key=lambda v: v.identity):
        if view.kind != "credit_card":
            continue
        found = None
        for p in forecast.recurring:  # a handful of projections: a scan is fine
            if p.paid_to is not None and p.paid_to in view.account_keys:
                if found is None or p.date < found.date:
                    found = p
        out.append(
            CardFacts(
                view.identity,
                view.name,
                amount_owed(view.balance),
                found.date if found else None,
                found.amount if found else None,
                found.series_key if found else None,
            )
        )
    return tuple(out)
