"""The previous, row-level way of feeding the engine: every movement, paid invoice and issued
document as its own row (selectors before the SQL pre-aggregation). Kept as the oracle the fast
path is compared with (test_selectors_fast_path.py); rows in primary-key order, so "first seen"
ties are deterministic. Call inside the business's schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from apps.ap.models import Bill, BillPayment, VendorCredit
from apps.ar.models import CreditMemo, Invoice, Payment, RefundReceipt, SalesReceipt
from apps.bank.models import (
    Account,
    BankTransaction,
    CreditCardPayment,
    JournalEntry,
    Purchase,
    PurchaseLine,
    Transfer,
)
from apps.ledger.models import ExchangeRate
from apps.runway import selectors as s
from apps.runway.engine import (
    CashMovement,
    CustomerCredit,
    IssuedDocument,
    PaidInvoice,
    RunwayInputs,
    to_home,
)
from apps.runway.engine import ExchangeRate as Rate
from apps.runway.engine import JournalEntry as Entry
from apps.runway.engine import JournalLine as Line
from apps.runway.engine import VendorCredit as Credit
from apps.runway.engine.money import to_cents

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
        "is_credit", "counterparty_type",
    )
    for day, amount, account, who, who_id, is_credit, who_type in rows:
        if who_id and who_type in ("Customer", "Employee"):
            who_id = f"{who_type.lower()}:{who_id}"
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
                                 "to_account_qbo_id", "to_account__name", "exchange_rate")
    for day, own, src, dst, dst_name, rate in rows:
        amount = to_cents(own * (rate or 1))  # a transfer in another currency: its own rate
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
                                 "transfer_to_key", "matched_type", "matched_id")
    paid_to = dict(BillPayment.objects.values_list("pk", "vendor_qbo_id"))
    for (day, amount, account, merchant, counterparty, name, is_transfer, category, dest,
         matched_type, matched_id) in rows:
        if is_transfer:
            kind = "transfer"
        elif "payroll" in category.lower():
            kind = "payroll"
        else:
            kind = "other"
        yield CashMovement(
            day, amount, s.feed_key(account), "bank_feed", kind, merchant or counterparty or name,
            (paid_to.get(matched_id) or None) if matched_type == "bill_payment" else None,
            aliases.get(dest, dest) if is_transfer and dest else None,
        )


def card_payment_movements(as_of: date, skip: set[str]) -> Iterator[CashMovement]:
    """CreditCardPayment rows, then card Purchases with Credit by line (DESIGN §4b)."""
    start, end = _window(as_of)
    rows = CreditCardPayment.objects.live().filter(txn_date__gte=start, txn_date__lt=end)
    for c in rows.exclude(bank_account_qbo_id__in=skip).select_related("card_account").order_by(
            "pk"):
        yield CashMovement(
            c.txn_date, to_cents(c.amount * (c.exchange_rate or 1)),
            s.qbo_key(c.bank_account_qbo_id), "qbo", "card_payment",
            c.card_account.name if c.card_account else "", f"account:{c.card_account_qbo_id}",
            s.qbo_key(c.card_account_qbo_id))
    lines = PurchaseLine.objects.filter(
        purchase__is_deleted=False, purchase__payment_type="CreditCard", purchase__is_credit=True,
        purchase__txn_date__gte=start, purchase__txn_date__lt=end,
    ).exclude(account_qbo_id__in=skip).select_related("purchase__account").order_by(
        "purchase_id", "pk")
    for line in lines:
        p = line.purchase
        yield CashMovement(
            p.txn_date, to_cents(line.amount * (p.exchange_rate or 1)),
            s.qbo_key(line.account_qbo_id), "qbo", "card_payment",
            p.account.name if p.account else "", f"account:{p.account_qbo_id}",
            s.qbo_key(p.account_qbo_id))


def receipt_movements(as_of: date, skip: set[str]) -> Iterator[CashMovement]:
    """Refunds out of, sales receipts into, their deposit account (the engine keeps only bank
    accounts of runway)."""
    start, end = _window(as_of)
    for model, sign, kind in ((RefundReceipt, 1, "refund"), (SalesReceipt, -1, "sales_receipt")):
        rows = model.objects.live().filter(txn_date__gte=start, txn_date__lt=end).exclude(
            deposit_account_qbo_id__in=skip).exclude(deposit_account_qbo_id="")
        for r in rows.select_related("customer").order_by("pk"):
            yield CashMovement(
                r.txn_date, sign * r.home_total, s.qbo_key(r.deposit_account_qbo_id), "qbo",
                kind, r.customer.display_name if r.customer else "",
                f"customer:{r.customer_qbo_id}" if r.customer_qbo_id else None)


def journal_entries(as_of: date, home: str) -> list[Entry]:
    start, end = _window(as_of)
    found = []
    banks = set(Account.objects.filter(account_type="Bank", is_deleted=False)
                .values_list("qbo_id", flat=True))
    entries = JournalEntry.objects.live().filter(txn_date__gte=start, txn_date__lt=end)
    for e in entries.prefetch_related("lines").order_by("pk"):
        lines = tuple(
            Line(s.qbo_key(line.account_qbo_id), line.posting_type, line.amount,
                 f"{line.entity_type.lower()}:{line.entity_qbo_id}" if line.entity_qbo_id
                 else None, line.entity_name)
            for line in sorted(e.lines.all(), key=lambda x: x.pk)
            if line.account_qbo_id in banks
        )
        if lines:
            foreign = e.currency != home
            found.append(Entry(str(e.pk), e.txn_date, e.memo, lines,
                               e.currency if foreign else "",
                               e.exchange_rate if foreign else None))
    return found


def vendor_credits(home: str) -> list[Credit]:
    found = []
    for vc in VendorCredit.objects.live().select_related("vendor").prefetch_related(
            "applications__payment").order_by("pk"):
        applied = sum(line.amount for line in vc.applications.all()
                      if not line.payment.is_deleted)
        balance = vc.balance if vc.balance is not None else vc.total - applied
        if balance > 0:
            found.append(Credit(str(vc.pk), vc.vendor_qbo_id,
                                vc.vendor.display_name if vc.vendor else "", vc.txn_date, balance,
                                "" if vc.currency == home else vc.currency))
    return found


def customer_credits(home: str) -> list[CustomerCredit]:
    """Credit memos with credit left, then payments with an unapplied amount (the SQL's order:
    by the key, "credit_memo:…" before "payment:…", then the pk as text)."""
    def own(currency: str) -> str:
        return "" if currency == home else currency

    memos = [CustomerCredit(f"credit_memo:{m.pk}", m.customer_qbo_id,
                            m.customer.display_name if m.customer else "", "credit_memo",
                            m.txn_date, m.balance, own(m.currency))
             for m in CreditMemo.objects.live().filter(balance__gt=0).select_related("customer")]
    paid = [CustomerCredit(f"payment:{p.pk}", p.customer_qbo_id,
                           p.customer.display_name if p.customer else "", "payment", p.txn_date,
                           p.unapplied_amount, own(p.currency))
            for p in Payment.objects.live().filter(unapplied_amount__gt=0)
            .select_related("customer")]
    return sorted(memos + paid, key=lambda c: c.id)


def rates(home: str) -> list[Rate]:
    return [Rate(r.source_currency, r.rate, r.as_of)
            for r in ExchangeRate.objects.live().filter(target_currency=home)]


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
        *card_payment_movements(as_of, fed),
        *receipt_movements(as_of, fed),
    ]
    return to_home(RunwayInputs(
        accounts=tuple(accounts),
        movements=tuple(movements),
        open_invoices=tuple(s.open_invoices(currency=currency)),
        paid_invoices=tuple(paid_invoices(as_of)),
        open_bills=tuple(s.open_bills(currency=currency)),
        issued=tuple(issued_documents(as_of)),
        reserves=tuple(s.active_reserves()),
        series_overrides=tuple(s.series_overrides()),
        currency=currency,
        journal_entries=tuple(journal_entries(as_of, currency)),
        vendor_credits=tuple(vendor_credits(currency)),
        customer_credits=tuple(customer_credits(currency)),
        rates=tuple(rates(currency)),
    ), as_of)
