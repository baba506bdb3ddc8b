"""Books → engine inputs. One query per input kind, rows streamed with `.values_list()`; the
number of queries never depends on the amount of data (tests/runway/test_selectors_queries.py).

Account keys: a QBO account is `qbo:<QBO id>`, a bank-feed account `feed:<pk>`. A feed account
whose link to a QBO account is confirmed shares that account's identity (`linked_key`), so the
real account counts once; a feed account without a confirmed link is shown but not counted
(counting it next to its unlinked QBO copy would count the money twice).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Value

from apps.ap.models import Bill, BillPayment
from apps.ar.models import Invoice
from apps.bank.models import Account, BankTransaction, FeedAccount, Purchase, Transfer
from apps.reserves.models import Reserve as ReserveRow
from apps.runway.engine import (
    BankAccountBalance,
    CashMovement,
    IssuedDocument,
    OpenBill,
    OpenInvoice,
    PaidInvoice,
    Reserve,
    RunwayInputs,
    SeriesOverride,
)
from apps.runway.models import RecurringSeriesOverride

HISTORY_DAYS = 365 + 3  # recurring detection looks back a year; transfer legs pair within 3 days
PAIRING_DAYS = 3
HABIT_DAYS = 730
ISSUED_DAYS = 90

FEED_KINDS = {"depository": "bank", "credit": "credit_card"}  # loans/investments are not cash
QBO_KINDS = {Account.Type.BANK: "bank", Account.Type.CREDIT_CARD: "credit_card"}


def qbo_key(qbo_id: str) -> str:
    return f"qbo:{qbo_id}"


def feed_key(pk: int) -> str:
    return f"feed:{pk}"


def _stream(queryset) -> Iterator[tuple]:
    # Plain tuples from one client-side cursor: no model instances, one round trip per query.
    # (Server-side `.iterator()` cursors cost three round trips per query, which dominated small
    # businesses; the largest input, ~100k feed rows of tuples, fits in memory.)
    return iter(queryset)


def _fresh(stamp: datetime | None) -> datetime:
    return stamp or datetime.combine(date(1970, 1, 1), time.min, tzinfo=UTC)


# --- cash ---------------------------------------------------------------------------------


def account_balances() -> list[BankAccountBalance]:
    """QBO bank and card accounts (one query)."""
    rows = (
        Account.objects.filter(
            is_deleted=False, active=True, account_type__in=list(QBO_KINDS)
        ).values_list("qbo_id", "name", "account_type", "current_balance", "included_in_runway",
                      "synced_at")
    )
    return [
        BankAccountBalance(
            account_key=qbo_key(qbo_id),
            name=name,
            balance=balance,
            fresh_at=_fresh(synced_at),
            source="qbo",
            kind=QBO_KINDS[kind],
            included=included,
        )
        for qbo_id, name, kind, balance, included, synced_at in _stream(rows)
    ]


def feed_balances() -> list[BankAccountBalance]:
    """Bank-feed (Plaid) accounts (one query, the linked QBO id joined in)."""
    rows = FeedAccount.objects.filter(removed=False, type__in=list(FEED_KINDS)).values_list(
        "pk", "name", "mask", "type", "current_balance", "balance_at", "link_confirmed",
        "linked_account__qbo_id", "linked_account__included_in_runway",
    )
    found = []
    for pk, name, mask, kind, balance, balance_at, confirmed, linked_qbo_id, linked_in in _stream(
        rows
    ):
        linked = confirmed and linked_qbo_id is not None
        found.append(
            BankAccountBalance(
                account_key=feed_key(pk),
                name=f"{name} ••{mask}" if mask else name,
                balance=balance if balance is not None else Decimal("0.00"),
                fresh_at=_fresh(balance_at),
                source="bank_feed",
                kind=FEED_KINDS[kind],
                # Unconfirmed feed accounts are not counted; linked ones follow the QBO choice.
                included=bool(linked and linked_in),
                linked_key=qbo_key(linked_qbo_id) if linked else None,
            )
        )
    return found


# --- movements ------------------------------------------------------------------------------


def _window(as_of: date) -> tuple[date, date]:
    return as_of - timedelta(days=HISTORY_DAYS), as_of + timedelta(days=PAIRING_DAYS)


def bill_payment_movements(as_of: date, skip_accounts: set[str]) -> Iterator[CashMovement]:
    start, end = _window(as_of)
    qs = BillPayment.objects.filter(is_deleted=False, txn_date__gte=start, txn_date__lt=end)
    if skip_accounts:
        qs = qs.exclude(account_qbo_id__in=skip_accounts)
    rows = qs.values_list(
        "txn_date", "home_total", "account_qbo_id", "vendor_qbo_id", "vendor__display_name"
    )
    for day, amount, account, vendor_id, vendor_name in _stream(rows):
        if account:
            yield CashMovement(
                day, amount, qbo_key(account), "qbo", "bill_payment", vendor_name or "",
                vendor_id or None,
            )


def purchase_movements(as_of: date, skip_accounts: set[str]) -> Iterator[CashMovement]:
    start, end = _window(as_of)
    qs = Purchase.objects.filter(is_deleted=False, txn_date__gte=start, txn_date__lt=end)
    if skip_accounts:
        qs = qs.exclude(account_qbo_id__in=skip_accounts)
    rows = qs.values_list(
        "txn_date", "home_total", "account_qbo_id", "counterparty", "counterparty_qbo_id",
        "is_credit",
    )
    for day, amount, account, who, who_id, is_credit in _stream(rows):
        if account:
            yield CashMovement(
                day, -amount if is_credit else amount, qbo_key(account), "qbo", "purchase",
                who or "", who_id or None,
            )


def transfer_movements(as_of: date) -> Iterator[CashMovement]:
    """Both legs of every QBO transfer: out of the source (naming its destination), in to the
    destination. Kept even for accounts with a feed: they tell which feed transfers are internal."""
    start, end = _window(as_of)
    rows = Transfer.objects.filter(
        is_deleted=False, txn_date__gte=start, txn_date__lt=end
    ).values_list("txn_date", "amount", "from_account_qbo_id", "to_account_qbo_id",
                  "to_account__name")
    for day, amount, src, dst, dst_name in _stream(rows):
        label = f"Transfer to {dst_name}" if dst_name else ""
        if src:
            yield CashMovement(
                day, amount, qbo_key(src), "qbo", "transfer", label, None,
                qbo_key(dst) if dst else None,
            )
        if dst:
            yield CashMovement(day, -amount, qbo_key(dst), "qbo", "transfer")


def feed_movements(as_of: date) -> Iterator[CashMovement]:
    """Posted bank-feed transactions (pending ones are replaced when they post)."""
    start, end = _window(as_of)
    rows = BankTransaction.objects.filter(
        feed_account__removed=False, pending=False, date__gte=start, date__lt=end
    ).values_list("date", "amount", "feed_account_id", "merchant_name", "counterparty", "name",
                  "is_transfer", "category")
    for day, amount, account, merchant, counterparty, name, is_transfer, category in _stream(rows):
        if is_transfer:
            kind = "transfer"
        elif "payroll" in category.lower():
            kind = "payroll"
        else:
            kind = "other"
        yield CashMovement(
            day, amount, feed_key(account), "bank_feed", kind, merchant or counterparty or name
        )


# --- receivables and payables ------------------------------------------------------------------


def open_invoices() -> list[OpenInvoice]:
    rows = Invoice.objects.open().values_list(
        "pk", "customer_qbo_id", "customer__display_name", "txn_date", "due_date",
        "home_balance", "home_total", "expected_date",
    )
    return [
        OpenInvoice(str(pk), cid, name or "", txn, due, balance, total, expected)
        for pk, cid, name, txn, due, balance, total, expected in _stream(rows)
    ]


def paid_invoices(as_of: date) -> list[PaidInvoice]:
    """Fully paid invoices whose balance reached 0 in the habit window (2 years)."""
    rows = (
        Invoice.objects.live()
        .filter(balance=0, paid_date__gte=as_of - timedelta(days=HABIT_DAYS), paid_date__lt=as_of)
        .values_list("pk", "customer_qbo_id", "customer__display_name", "txn_date", "due_date",
                     "paid_date")
    )
    return [
        PaidInvoice(str(pk), cid, name or "", txn, due, paid)
        for pk, cid, name, txn, due, paid in _stream(rows)
    ]


def open_bills() -> list[OpenBill]:
    rows = Bill.objects.open().values_list(
        "pk", "vendor_qbo_id", "vendor__display_name", "txn_date", "due_date", "home_balance",
        "home_total", "scheduled_date",
    )
    return [
        OpenBill(str(pk), vid, name or "", txn, due, balance, total, scheduled)
        for pk, vid, name, txn, due, balance, total, scheduled in _stream(rows)
    ]


def issued_documents(as_of: date) -> list[IssuedDocument]:
    """Invoices and bills dated in the trailing 90 days (any state), in one UNION query."""
    window = {"txn_date__gte": as_of - timedelta(days=ISSUED_DAYS), "txn_date__lt": as_of}
    invoices = (
        Invoice.objects.live().filter(**window)
        .annotate(kind=Value("invoice")).values_list("kind", "txn_date", "home_total")
    )
    bills = (
        Bill.objects.live().filter(**window)
        .annotate(kind=Value("bill")).values_list("kind", "txn_date", "home_total")
    )
    both = invoices.union(bills, all=True)
    return [IssuedDocument(kind, txn, total) for kind, txn, total in _stream(both)]


# --- reserves and the owner's overrides ---------------------------------------------------------


def active_reserves() -> list[Reserve]:
    rows = ReserveRow.objects.filter(active=True).values_list(
        "pk", "name", "held", "target", "due_date"
    )
    return [
        Reserve(str(pk), name, held, target or None, due, True)
        for pk, name, held, target, due in rows
    ]


def series_overrides() -> list[SeriesOverride]:
    rows = RecurringSeriesOverride.objects.values_list(
        "key", "status", "name", "cadence", "amount", "next_date"
    )
    return [
        SeriesOverride(key, status, name or None, cadence or None, amount, next_date)
        for key, status, name, cadence, amount, next_date in rows
    ]


# --- everything ------------------------------------------------------------------------------


def runway_inputs(*, as_of: date, currency: str = "USD") -> RunwayInputs:
    """All engine inputs of the current business (run inside its schema): 12 queries."""
    accounts = account_balances() + feed_balances()
    # Accounts with a feed take their burn from the feed: skip QBO's copies of those movements.
    fed = {a.linked_key.removeprefix("qbo:") for a in accounts if a.linked_key}
    movements = [
        *bill_payment_movements(as_of, fed),
        *purchase_movements(as_of, fed),
        *transfer_movements(as_of),
        *feed_movements(as_of),
    ]
    return RunwayInputs(
        accounts=tuple(accounts),
        movements=tuple(movements),
        open_invoices=tuple(open_invoices()),
        paid_invoices=tuple(paid_invoices(as_of)),
        open_bills=tuple(open_bills()),
        issued=tuple(issued_documents(as_of)),
        reserves=tuple(active_reserves()),
        series_overrides=tuple(series_overrides()),
        currency=currency,
    )
