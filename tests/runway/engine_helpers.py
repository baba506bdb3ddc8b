"""Small builders for engine tests (plain data, no Django)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from apps.runway.engine import (
    BankAccountBalance,
    CashMovement,
    OpenBill,
    OpenInvoice,
    PaidInvoice,
)

D = Decimal


def bank(
    key: str,
    balance: str,
    *,
    source: str = "qbo",
    included: bool = True,
    linked: str | None = None,
    kind: str = "bank",
    fresh: datetime | date = date(2025, 3, 1),
    name: str | None = None,
) -> BankAccountBalance:
    return BankAccountBalance(key, name or key, D(balance), fresh, source, kind, included, linked)


def out(
    day: date,
    amount: str,
    account: str = "chk",
    *,
    kind: str = "purchase",
    who: str = "",
    who_id: str | None = None,
    to: str | None = None,
    source: str = "qbo",
) -> CashMovement:
    return CashMovement(day, D(amount), account, source, kind, who, who_id, to)


def inv(
    id: str,
    due: date,
    balance: str,
    *,
    customer: str = "c1",
    name: str = "Acme Outdoor",
    txn: date | None = None,
    expected: date | None = None,
    total: str | None = None,
) -> OpenInvoice:
    return OpenInvoice(
        id,
        customer,
        name,
        txn or due - timedelta(days=30),
        due,
        D(balance),
        D(total) if total else None,
        expected,
    )


def bill(
    id: str,
    due: date,
    balance: str,
    *,
    vendor: str = "v1",
    name: str = "Rent Co",
    scheduled: date | None = None,
    txn: date | None = None,
) -> OpenBill:
    return OpenBill(
        id, vendor, name, txn or due - timedelta(days=30), due, D(balance), None, scheduled
    )


def paid(id: str, customer: str, name: str, txn: date, due: date, paid_on: date) -> PaidInvoice:
    return PaidInvoice(id, customer, name, txn, due, paid_on)
