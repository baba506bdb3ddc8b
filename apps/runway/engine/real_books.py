"""Inputs of real books (DESIGN §4b): vendor and customer credits, journal entries,
foreign-currency movements.

Like every engine input these are plain frozen values; ``currency`` "" means the business's home
currency. The conversion step (``convert.to_home``) turns every foreign amount into home money
before any figure is computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from .currency import Money
from .inputs import CashMovement, _check_decimal, _DecimalFields


@dataclass(frozen=True, slots=True)
class VendorCredit(_DecimalFields):
    """A vendor's unapplied credit (QBO VendorCredit ``Balance``, or ``TotalAmt`` less the bill
    payments linked to it): it lowers that vendor's open bills in the forecast."""

    decimal_fields = ("balance",)

    id: str
    vendor_id: str
    vendor_name: str
    txn_date: date
    balance: Decimal
    currency: str = ""
    foreign: Money | None = None  # set by conversion


@dataclass(frozen=True, slots=True)
class CustomerCredit(_DecimalFields):
    """What a customer has paid or been credited and not yet applied to an invoice: a credit
    memo's remaining credit (``Balance``) or a payment's ``UnappliedAmt``. The invoice it is for
    is still open in QBO, so it lowers that customer's open invoices in the forecast."""

    decimal_fields = ("balance",)

    id: str  # "credit_memo:<pk>" or "payment:<pk>"
    customer_id: str
    customer_name: str
    kind: Literal["credit_memo", "payment"]
    txn_date: date
    balance: Decimal
    currency: str = ""
    foreign: Money | None = None  # set by conversion


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One line of a journal entry on a bank account (lines on other accounts move no cash).

    ``entity_key``: ``vendor:<id>``, ``customer:<id>`` or ``employee:<id>`` from the line's
    ``Entity``, if any."""

    account_key: str
    posting: Literal["Debit", "Credit"]
    amount: Decimal
    entity_key: str | None = None
    entity_name: str = ""

    def __post_init__(self) -> None:
        _check_decimal(self, "amount")
        if self.posting not in ("Debit", "Credit"):
            raise ValueError(f"posting must be Debit or Credit, not {self.posting!r}")


@dataclass(frozen=True, slots=True)
class JournalEntry(_DecimalFields):
    """A QBO JournalEntry's bank lines. ``TotalAmt`` is 0 on real entries and is never used.
    ``rate``: the entry's own ExchangeRate (home per unit of ``currency``)."""

    decimal_fields = ("rate",)

    id: str
    date: date
    memo: str
    lines: tuple[JournalLine, ...]
    currency: str = ""
    rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ForeignMovement(_DecimalFields):
    """A cash movement in another currency with its transaction's own rate (None = QBO sent
    none: the movement is left out and flagged)."""

    decimal_fields = ("rate",)

    movement: CashMovement
    currency: str
    rate: Decimal | None


_DIGITS_AND_PUNCTUATION = re.compile(r"[^\w\s]|[\d_]")


def memo_key(memo: str) -> str:
    """The series key of a journal entry without an entity: its memo case-folded, digits and
    punctuation removed, spaces collapsed ("Gusto payroll 09/04/2026" → "name:gusto payroll");
    no memo left → "name:journal entry"."""
    words = _DIGITS_AND_PUNCTUATION.sub("", memo.casefold()).split()
    return "name:" + (" ".join(words) if words else "journal entry")
