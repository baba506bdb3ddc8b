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
    clip,
    copy_insert,
    currency_fields,
    documents_ingest,
    id_map,
    lines_problem,
    mark_deleted,
    money,
    money_problem,
    parties_ingest,
    ref_value,
    replace_lines,
    split_deleted,
    synced_fields,
    unknown_party,
    upsert,
)
from apps.integrations.sync.sinks import (
    SinkContext,
    SinkResult,
)
from apps.ledger.models import Account

vendors_ingest = parties_ingest(Vendor)


bills_ingest = documents_ingest(
    Bill, Vendor, "vendor", lambda dto: {"memo": clip(dto.private_note, 400)}, ["memo"])


def _credits(payment: Any) -> list[Any]:
    return [a for a in payment.applied if a.txn_type == "VendorCredit"]


def bill_payments_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(BillPayment, ctx.realm_id, gone))
    vendors = id_map(Vendor, ctx.realm_id, (d.vendor_ref.value for d in live))
    accounts = id_map(Account, ctx.realm_id, (d.account_ref.value for d in live))
    bills = id_map(Bill, ctx.realm_id, (a.txn_id for d in live for a in d.bills))
    objs, lines_of = [], {}
    for dto in live:
        problem = money_problem("TotalAmt", dto.total) or money_problem("Home", dto.home_total)
        problem = problem or lines_problem(dto.bills)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        objs.append(dict(
            **synced_fields(dto, ctx.realm_id),
            vendor_id=vendors.get(dto.vendor_ref.value),
            vendor_qbo_id=dto.vendor_ref.value,
            txn_date=dto.txn_date,
            total=money(dto.total),
            **currency_fields(dto, ctx),
            home_total=money(dto.home_total),
            pay_type=clip(dto.pay_type, 16),
            account_id=accounts.get(dto.account_ref.value),
            account_qbo_id=dto.account_ref.value,
        ))
        lines_of[dto.qbo_id] = dto.bills
    pks = upsert(BillPayment, objs, [
        "vendor", "vendor_qbo_id", "txn_date", "total", "currency", "exchange_rate",
        "home_total", "pay_type", "account", "account_qbo_id",
    ])
    # Lines are replaced wholesale: QBO sends the full payment every time.
    BillPaymentLine.objects.filter(payment_id__in=list(pks.values())).delete()
    copy_insert(BillPaymentLine, [
        {"payment_id": pk, "bill_id": bills.get(a.txn_id), "bill_qbo_id": a.txn_id,
         "amount": money(a.amount)}
        for qbo_id, pk in pks.items() for a in lines_of[qbo_id]
    ])
    credits = id_map(VendorCredit, ctx.realm_id, (a.txn_id for d in live for a in _credits(d)))
    replace_lines(BillPaymentCreditLine, "payment_id", pks, {
        d.qbo_id: [{"vendor_credit_id": credits.get(a.txn_id), "vendor_credit_qbo_id": a.txn_id,
                    "amount": money(a.amount)} for a in _credits(d)]
        for d in live if d.qbo_id in pks
    })
    result.stored += len(objs)
    ctx.touch("Bill", [a.txn_id for qbo_id in pks for a in lines_of[qbo_id]])
    return result


def vendor_credits_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    """Vendor credits and their expense lines (lines replaced wholesale on every sync)."""
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(VendorCredit, ctx.realm_id, gone))
    vendors = id_map(Vendor, ctx.realm_id, (d.vendor_ref.value for d in live))
    accounts = id_map(Account, ctx.realm_id, (
        ln.account_ref.value for d in live for ln in d.lines if ln.account_ref))
    objs, lines_of = [], {}
    for dto in live:
        vendor_id = vendors.get(dto.vendor_ref.value)
        problem = (
            money_problem("TotalAmt", dto.total)
            or money_problem("HomeTotalAmt", dto.home_total)
            or (money_problem("Balance", dto.balance, negative_ok=False)
                if dto.balance is not None else None)
            or lines_problem(dto.lines)
        )
        if vendor_id is None:
            problem = problem or unknown_party("Vendor", dto.vendor_ref)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        objs.append(dict(
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
        ))
        lines_of[dto.qbo_id] = [
            {"account_id": accounts.get(ln.account_ref.value) if ln.account_ref else None,
             "account_qbo_id": ref_value(ln.account_ref), "amount": money(ln.amount),
             "description": clip(ln.description, 400)}
            for ln in dto.lines
        ]
    pks = upsert(VendorCredit, objs, [
        "vendor", "vendor_qbo_id", "doc_number", "txn_date", "total", "balance", "currency",
        "exchange_rate", "home_total", "ap_account_qbo_id", "memo",
    ])
    replace_lines(VendorCreditLine, "credit_id", pks, lines_of)
    result.stored += len(objs)
    return result


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
