"""The previous, row-level way of feeding the engine: every movement, paid invoice and issued
document as its own row (selectors before the SQL pre-aggregation). Kept as the oracle the fast
path is compared with (test_selectors_fast_path.py); rows in primary-key order, so "first seen"
ties are deterministic. Call inside the business's schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from apps.ap.models import Bill, BillPayment
from apps.ar.models import Invoice
from apps.bank.models import BankTransaction, Purchase, Transfer
from apps.runway import selectors as s
from apps.runway.engine import (
    CashMovement,
    IssuedDocument,
    PaidInvoice,
    RunwayInputs,
)

HISTORY_DAYS = 365 + 3
PAIRING_DAYS = 3
HABIT_DAYS = 730
ISSUED_DAYS = 90


def _window(as_of: date) -> tuple[date, date]:
    return as_of - timedelta(days=HISTORY_DAYS), as_of + timedelta(days=PAIRING_DAYS)


def bill_payment_movements(as_of: date, skip_accounts: set[str]) -> Iterator[CashMovement]:
    start, end = _window(as_of)
    qs = BillPayment.objects.filter(is_deleted=False, txn_date__gte=start, txn_date__lt=end)
    if skip_accounts:
        qs = qs.exclude(account_qbo_id__in=skip_accounts)
    rows = qs.order_by("pk").values_list(
        "txn_date", "home_total", "account_qbo_id", "vendor_qbo_id", "vendor__display_name"
    )
    for day, amount, account, vendor_id, vendor_name in rows:
        if account:
            yield CashMovement(
                day, amount, s.qbo_key(account), "qbo", "bill_payment", vendor_name or "",
                vendor_id or None,
            )


def purchase_movements(as_of: date, skip_accounts: set[str]) -> Iterator[CashMovement]:
    start, end = _window(as_of)
    qs = Purchase.objects.filter(is_deleted=False, txn_date__gte=start, txn_date__lt=end)
    if skip_accounts:
        qs = qs.exclude(account_qbo_id__in=skip_accounts)
    rows = qs.order_by("pk").values_list(
        "txn_date", "home_total", "account_qbo_id", "counterparty", "counterparty_qbo_id",
        "is_credit",
    )
    for day, amount, account, who, who_id, is_credit in rows:
        if account:
            yield CashMovement(
                day, -amount if is_credit else amount, s.qbo_key(account), "qbo", "purchase",
                who or "", who_id or None,
            )


def transfer_movements(as_of: date) -> Iterator[CashMovement]:
    start, end = _window(as_of)
    rows = Transfer.objects.filter(
        is_deleted=False, txn_date__gte=start, txn_date__lt=end
    ).order_by("pk").values_list("txn_date", "amount", "from_account_qbo_id",
                                 "to_account_qbo_id", "to_account__name")
    for day, amount, src, dst, dst_name in rows:
        label = f"Transfer to {dst_name}" if dst_name else ""
        if src:
            yield CashMovement(
                day, amount, s.qbo_key(src), "qbo", "transfer", label, None,
                s.qbo_key(dst) if dst else None,
            )
        if dst:
            yield CashMovement(day, -amount, s.qbo_key(dst), "qbo", "transfer")


def feed_movements(as_of: date, aliases: dict[str, str]) -> Iterator[CashMovement]:
    start, end = _window(as_of)
    rows = BankTransaction.objects.filter(
        feed_account__removed=False, pending=False, date__gte=start, date__lt=end
    ).order_by("pk").values_list("date", "amount", "feed_account_id", "merchant_name",
                                 "counterparty", "name", "is_transfer", "category",
                                 "transfer_to_key")
    for day, amount, account, merchant, counterparty, name, is_transfer, category, dest in rows:
        if is_transfer:
            kind = "transfer"
        elif "payroll" in category.lower():
            kind = "payroll"
        else:
            kind = "other"
        yield CashMovement(
            day, amount, s.feed_key(account), "bank_feed", kind, merchant or counterparty or name,
            None, aliases.get(dest, dest) if is_transfer and dest else None,
        )


def paid_invoices(as_of: date) -> list[PaidInvoice]:
    rows = (
        Invoice.objects.live()
        .filter(balance=0, paid_date__gte=as_of - timedelta(days=HABIT_DAYS), paid_date__lt=as_of)
        .order_by("pk")
        .values_list("pk", "customer_qbo_id", "customer__display_name", "txn_date", "due_date",
                     "paid_date")
    )
    return [PaidInvoice(str(pk), cid, name or "", txn, due, paid)
            for pk, cid, name, txn, due, paid in rows]


def issued_documents(as_of: date) -> list[IssuedDocument]:
    window = {"txn_date__gte": as_of - timedelta(days=ISSUED_DAYS), "txn_date__lt": as_of}
    invoices = Invoice.objects.live().filter(**window).values_list("txn_date", "home_total")
    bills = Bill.objects.live().filter(**window).values_list("txn_date", "home_total")
    return [IssuedDocument("invoice", d, t) for d, t in invoices] + [
        IssuedDocument("bill", d, t) for d, t in bills
    ]


def row_level_inputs(*, as_of: date, currency: str = "USD") -> RunwayInputs:
    found = s.bank_accounts(currency=currency)
    accounts = found.accounts
    fed = {a.linked_key.removeprefix("qbo:") for a in accounts if a.linked_key}
    movements = [
        *bill_payment_movements(as_of, fed),
        *purchase_movements(as_of, fed),
        *transfer_movements(as_of),
        *feed_movements(as_of, found.aliases),
    ]
    return RunwayInputs(
        accounts=tuple(accounts),
        movements=tuple(movements),
        open_invoices=tuple(s.open_invoices()),
        paid_invoices=tuple(paid_invoices(as_of)),
        open_bills=tuple(s.open_bills()),
        issued=tuple(issued_documents(as_of)),
        reserves=tuple(s.active_reserves()),
        series_overrides=tuple(s.series_overrides()),
        currency=currency,
    )
