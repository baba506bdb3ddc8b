"""QBO → payables: vendors, bills, bill payments (and which bills they paid), vendor credits.

Registered in ``ApConfig.ready()`` as sync sinks, a finaliser (bill status from balance) and
the outbox hook that refreshes bills after a bill payment was written to QBO.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from apps.ap.approvals import bills_approval_lapse
from apps.ap.models import (
    Bill,
    BillPayment,
    BillPaymentCreditLine,
    BillPaymentLine,
    Vendor,
    VendorCredit,
    VendorCreditLine,
)
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync.ingest_helpers import (
    Lines,
    clip,
    currency_fields,
    documents_ingest,
    id_maps,
    lines_problem,
    money,
    money_problem,
    parties_ingest,
    ref_value,
    rows_sink,
    synced_fields,
    unknown_party,
)
from apps.integrations.sync.sinks import SinkContext
from apps.ledger.models import Account

vendors_ingest = parties_ingest(Vendor)


# ``status`` is written on insert only (it is not an update field: Oodaloo's workflow owns it):
# a new bill QBO shows fully paid starts "paid", so bills_finalise has no row to rewrite.
bills_ingest = documents_ingest(
    Bill, Vendor, "vendor",
    lambda dto: {"memo": clip(dto.private_note, 400),
                 "status": Bill.Status.PAID if dto.balance == 0 else Bill.Status.NEW},
    ["memo"])


def _credits(payment: Any) -> list[Any]:
    return [a for a in payment.applied if a.txn_type == "VendorCredit"]


def _bill_payment_refs(ctx: SinkContext, live: list[Any]) -> dict[str, dict[str, int]]:
    return id_maps(ctx.realm_id, {
        "vendors": (Vendor, (d.vendor_ref.value for d in live)),
        "accounts": (Account, (d.account_ref.value for d in live)),
        "bills": (Bill, (a.txn_id for d in live for a in d.bills)),
        "credits": (VendorCredit, (a.txn_id for d in live for a in _credits(d))),
    })


def _bill_payment_row(ctx: SinkContext, dto: Any, found: dict) -> dict[str, Any] | str:
    return (
        money_problem("TotalAmt", dto.total) or money_problem("Home", dto.home_total)
        or lines_problem(dto.bills)
        or dict(
            **synced_fields(dto, ctx.realm_id),
            vendor_id=found["vendors"].get(dto.vendor_ref.value),
            vendor_qbo_id=dto.vendor_ref.value,
            txn_date=dto.txn_date,
            total=money(dto.total),
            **currency_fields(dto, ctx),
            home_total=money(dto.home_total),
            pay_type=clip(dto.pay_type, 16),
            account_id=found["accounts"].get(dto.account_ref.value),
            account_qbo_id=dto.account_ref.value,
        )
    )


bill_payments_ingest = rows_sink(BillPayment, [
    "vendor", "vendor_qbo_id", "txn_date", "total", "currency", "exchange_rate",
    "home_total", "pay_type", "account", "account_qbo_id",
], _bill_payment_row, lookups=_bill_payment_refs, lines=[
    Lines(BillPaymentLine, "payment_id", lambda dto, found: [
        {"bill_id": found["bills"].get(a.txn_id), "bill_qbo_id": a.txn_id,
         "amount": money(a.amount)} for a in dto.bills]),
    Lines(BillPaymentCreditLine, "payment_id", lambda dto, found: [
        {"vendor_credit_id": found["credits"].get(a.txn_id), "vendor_credit_qbo_id": a.txn_id,
         "amount": money(a.amount)} for a in _credits(dto)]),
], touch=("Bill", lambda dto: [a.txn_id for a in dto.bills]))


def _vendor_credit_refs(ctx: SinkContext, live: list[Any]) -> dict[str, dict[str, int]]:
    return id_maps(ctx.realm_id, {
        "vendors": (Vendor, (d.vendor_ref.value for d in live)),
        "accounts": (Account, (
            ln.account_ref.value for d in live for ln in d.lines if ln.account_ref)),
    })


def _vendor_credit_row(ctx: SinkContext, dto: Any, found: dict) -> dict[str, Any] | str:
    vendor_id = found["vendors"].get(dto.vendor_ref.value)
    problem = (
        money_problem("TotalAmt", dto.total)
        or money_problem("HomeTotalAmt", dto.home_total)
        or (money_problem("Balance", dto.balance, negative_ok=False)
            if dto.balance is not None else None)
        or lines_problem(dto.lines)
    )
    if vendor_id is None:
        problem = problem or unknown_party("Vendor", dto.vendor_ref)
    return problem or dict(
        **synced_fields(dto, ctx.realm_id),
        vendor_id=vendor_id,
        vendor_qbo_id=dto.vendor_ref.value,
        doc_number=clip(dto.doc_number, 64),
        txn_date=dto.txn_date,
        total=money(dto.total),
        balance=money(dto.balance) if dto.balance is not None else None,
        **currency_fields(dto, ctx),
        home_total=money(dto.home_total),
        ap_account_qbo_id=ref_value(dto.ap_account_ref),
        memo=clip(dto.private_note, 400),
    )


def _vendor_credit_lines(dto: Any, found: dict) -> list[dict[str, Any]]:
    accounts = found["accounts"]
    return [
        {"account_id": accounts.get(ln.account_ref.value) if ln.account_ref else None,
         "account_qbo_id": ref_value(ln.account_ref), "amount": money(ln.amount),
         "description": clip(ln.description, 400)}
        for ln in dto.lines
    ]


# Vendor credits and their expense lines (lines replaced wholesale on every sync).
vendor_credits_ingest = rows_sink(VendorCredit, [
    "vendor", "vendor_qbo_id", "doc_number", "txn_date", "total", "balance", "currency",
    "exchange_rate", "home_total", "ap_account_qbo_id", "memo",
], _vendor_credit_row, lookups=_vendor_credit_refs,
    lines=[Lines(VendorCreditLine, "credit_id", _vendor_credit_lines)])


def bills_finalise(ctx: SinkContext, full: bool) -> None:
    """Bill.status follows QBO's balance: paid at 0; a paid bill whose payment was voided or
    deleted opens again. Payment lines that arrived before their bill (or vendor credit) get
    linked now."""
    Bill.objects.filter(balance=0, is_deleted=False).exclude(status=Bill.Status.PAID).update(
        status=Bill.Status.PAID
    )
    Bill.objects.filter(balance__gt=0, status=Bill.Status.PAID).update(status=Bill.Status.NEW)
    bills_approval_lapse(ctx.business)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ap_billpaymentline l SET bill_id = b.id FROM ap_bill b "
            "WHERE l.bill_id IS NULL AND b.qbo_id = l.bill_qbo_id AND b.realm_id = %s",
            [ctx.realm_id],
        )
        cursor.execute(
            "UPDATE ap_billpaymentcreditline l SET vendor_credit_id = c.id FROM ap_vendorcredit c "
            "WHERE l.vendor_credit_id IS NULL AND c.qbo_id = l.vendor_credit_qbo_id "
            "AND c.realm_id = %s",
            [ctx.realm_id],
        )


def bill_payment_after_action(ctx: SinkContext, action: Any) -> None:
    """After QBO accepted a bill payment: store it and re-read the bills it paid, so their
    balances (and status) are current without waiting for the next sync."""
    payment = parse_entity("BillPayment", action.result or {})
    bill_payments_ingest(ctx, [payment])
    ids = sorted({a.txn_id for a in payment.bills})
    if ids and ctx.client is not None:
        quoted = ", ".join(f"'{i}'" for i in ids)
        rows = ctx.client.query(f"SELECT * FROM Bill WHERE Id IN ({quoted})")
        bills_ingest(ctx, [parse_entity("Bill", row) for row in rows])
    bills_finalise(ctx, False)
