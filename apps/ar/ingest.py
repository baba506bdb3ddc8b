"""QBO → receivables: customers, invoices, payments (and which invoices they paid), credit
memos, sales and refund receipts; the finaliser derives ``Invoice.paid_date`` (the date the
balance reached 0)."""

from __future__ import annotations

from typing import Any

from django.db import connection

from apps.ar.models import (
    CreditMemo,
    Customer,
    Invoice,
    Payment,
    PaymentLine,
    RefundReceipt,
    SalesReceipt,
)
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync.ingest_helpers import (
    Lines,
    clip,
    currency_fields,
    documents_ingest,
    id_map,
    id_maps,
    money,
    money_problem,
    parties_ingest,
    ref_value,
    rows_sink,
    synced_fields,
)
from apps.integrations.sync.sinks import SinkContext, SinkResult
from apps.ledger.models import Account

customers_ingest = parties_ingest(Customer)
invoices_ingest = documents_ingest(
    Invoice, Customer, "customer",
    lambda dto: {"bill_email": clip(dto.bill_email, 254), "invoice_link": dto.invoice_link},
    ["bill_email", "invoice_link"])


_PAID_DATE_SQL = """
UPDATE ar_invoice i SET paid_date = sub.paid
FROM (
    SELECT l.invoice_id, MAX(p.txn_date) AS paid
    FROM ar_paymentline l JOIN ar_payment p ON p.id = l.payment_id
    WHERE NOT p.is_deleted AND l.invoice_id IS NOT NULL AND l.amount > 0
    GROUP BY l.invoice_id
) sub
WHERE i.id = sub.invoice_id AND i.balance = 0 AND NOT i.is_deleted
  AND i.paid_date IS DISTINCT FROM sub.paid
"""
# The same for the invoices a page of payments paid, in two plain steps (fresh tables have no
# statistics yet, and the one-statement form above then gets a quadratic plan).
_PAID_DATES_OF = """
SELECT l.invoice_id, MAX(p.txn_date)
FROM ar_paymentline l JOIN ar_payment p ON p.id = l.payment_id
WHERE NOT p.is_deleted AND l.invoice_id IS NOT NULL AND l.amount > 0
  AND l.invoice_qbo_id = ANY(%s)
GROUP BY l.invoice_id
"""
_SET_PAID_DATES = """
UPDATE ar_invoice i SET paid_date = v.paid
FROM unnest(%s::bigint[], %s::date[]) AS v(id, paid)
WHERE i.id = v.id AND i.balance = 0 AND NOT i.is_deleted AND i.paid_date IS DISTINCT FROM v.paid
"""


def _customers(ctx: SinkContext, live: list[Any]) -> dict[str, int]:
    return id_map(Customer, ctx.realm_id, (ref_value(d.customer_ref) for d in live))


def _payment_refs(ctx: SinkContext, live: list[Any]) -> dict[str, dict[str, int]]:
    return id_maps(ctx.realm_id, {
        "customers": (Customer, (ref_value(d.customer_ref) for d in live)),
        "invoices": (Invoice, (a.txn_id for d in live for a in d.invoices)),
    })


def _payment_row(ctx: SinkContext, dto: Any, found: dict) -> dict[str, Any] | str:
    problem = money_problem("TotalAmt", dto.total) or money_problem("Home", dto.home_total)
    return problem or money_problem("UnappliedAmt", dto.unapplied_amount) or dict(
        **synced_fields(dto, ctx.realm_id),
        customer_id=found["customers"].get(dto.customer_ref.value),
        customer_qbo_id=dto.customer_ref.value,
        txn_date=dto.txn_date,
        total=money(dto.total),
        **currency_fields(dto, ctx),
        home_total=money(dto.home_total),
        unapplied_amount=money(dto.unapplied_amount),
        deposit_account_qbo_id=(dto.deposit_account_ref.value
                                if dto.deposit_account_ref else ""),
    )


_payments_store = rows_sink(Payment, [
    "customer", "customer_qbo_id", "txn_date", "total", "currency", "exchange_rate",
    "home_total", "unapplied_amount", "deposit_account_qbo_id",
], _payment_row, lookups=_payment_refs, lines=[
    Lines(PaymentLine, "payment_id", lambda dto, found: [
        {"invoice_id": found["invoices"].get(a.txn_id), "invoice_qbo_id": a.txn_id,
         "amount": money(a.amount)} for a in dto.invoices]),
], touch=("Invoice", lambda dto: [a.txn_id for a in dto.invoices]))


def payments_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    """Payments and their lines; the invoices they pay get their paid_date now, while the sync
    still fetches (invoices_finalise then finds almost nothing left to write)."""
    result = _payments_store(ctx, dtos)
    paid = {a.txn_id for d in dtos for a in getattr(d, "invoices", ())}
    if paid:
        with connection.cursor() as cursor:
            cursor.execute(_PAID_DATES_OF, [list(paid)])
            dates = cursor.fetchall()
            if dates:
                cursor.execute(_SET_PAID_DATES, [[i for i, _ in dates], [d for _, d in dates]])
    return result


def _credit_memo_row(ctx: SinkContext, dto: Any, customers: dict) -> dict[str, Any] | str:
    problem = money_problem("TotalAmt", dto.total) or money_problem("Balance", dto.balance)
    return problem or dict(
        **synced_fields(dto, ctx.realm_id),
        customer_id=customers.get(dto.customer_ref.value),
        customer_qbo_id=dto.customer_ref.value,
        doc_number=clip(dto.doc_number, 64),
        txn_date=dto.txn_date,
        total=money(dto.total),
        balance=money(dto.balance),
        **currency_fields(dto, ctx),
    )


credit_memos_ingest = rows_sink(CreditMemo, [
    "customer", "customer_qbo_id", "doc_number", "txn_date", "total", "balance", "currency",
    "exchange_rate",
], _credit_memo_row, lookups=_customers)


RECEIPT_FIELDS = [
    "customer", "customer_qbo_id", "doc_number", "txn_date", "total", "currency",
    "exchange_rate", "home_total", "deposit_account", "deposit_account_qbo_id",
    "payment_method", "memo",
]


def _receipt_refs(ctx: SinkContext, live: list[Any]) -> dict[str, dict[str, int]]:
    return id_maps(ctx.realm_id, {
        "customers": (Customer, (ref_value(d.customer_ref) for d in live)),
        "accounts": (Account, (ref_value(d.deposit_to_account_ref) for d in live)),
    })


def _receipts_ingest(model: type[SalesReceipt] | type[RefundReceipt]):
    """Sales and refund receipts: same shape; a refund receipt also keeps QBO's Balance."""
    refund = model is RefundReceipt

    def row(ctx: SinkContext, dto: Any, found: dict) -> dict[str, Any] | str:
        problem = (money_problem("TotalAmt", dto.total)
                   or money_problem("HomeTotalAmt", dto.home_total)
                   or (money_problem("Balance", dto.balance)
                       if refund and dto.balance is not None else None))
        if problem:
            return problem
        out = dict(
            **synced_fields(dto, ctx.realm_id),
            customer_id=found["customers"].get(ref_value(dto.customer_ref)),
            customer_qbo_id=ref_value(dto.customer_ref),
            doc_number=clip(dto.doc_number, 64),
            txn_date=dto.txn_date,
            total=money(dto.total),
            **currency_fields(dto, ctx),
            home_total=money(dto.home_total),
            deposit_account_id=found["accounts"].get(ref_value(dto.deposit_to_account_ref)),
            deposit_account_qbo_id=ref_value(dto.deposit_to_account_ref),
            payment_method=clip(dto.payment_method_ref.name if dto.payment_method_ref
                                else "", 100),
            memo=clip(dto.private_note, 400),
        )
        if refund:
            out["balance"] = money(dto.balance) if dto.balance is not None else None
        return out

    return rows_sink(model, RECEIPT_FIELDS + (["balance"] if refund else []), row,
                     lookups=_receipt_refs)


sales_receipts_ingest = _receipts_ingest(SalesReceipt)
refund_receipts_ingest = _receipts_ingest(RefundReceipt)


def invoices_finalise(ctx: SinkContext, full: bool) -> None:
    """paid_date = the latest linked payment's date for fully paid invoices (the day the
    balance reached 0); open invoices have none. Lines that came before their invoice link now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ar_paymentline l SET invoice_id = i.id FROM ar_invoice i "
            "WHERE l.invoice_id IS NULL AND i.qbo_id = l.invoice_qbo_id AND i.realm_id = %s",
            [ctx.realm_id],
        )
        cursor.execute(_PAID_DATE_SQL)
        cursor.execute(
            "UPDATE ar_invoice SET paid_date = NULL WHERE balance > 0 AND paid_date IS NOT NULL"
        )


def invoice_send_after_action(ctx: SinkContext, action: Any) -> None:
    if action.result:
        invoices_ingest(ctx, [parse_entity("Invoice", action.result)])
