"""QBO → bank models: purchases (expenses by check/cash/card, with their account lines),
deposits, transfers; credit card payments and journal entries are in ``ingest_books``. The
chart of accounts (``Account``) is the ledger's sink (``apps.ledger.ingest``).

Plugged as sync sinks in ``oodaloo/wiring.py``; each handles one page of DTOs with one
bulk upsert and one id lookup per referenced model.
"""

from __future__ import annotations

from typing import Any

from apps.bank.models import Deposit, Purchase, PurchaseLine, Transfer
from apps.integrations.sync.ingest_helpers import (
    clip,
    currency_fields,
    id_map,
    lines_problem,
    mark_deleted,
    money,
    money_problem,
    ref_value,
    replace_lines,
    split_deleted,
    synced_fields,
    upsert,
)
from apps.integrations.sync.sinks import SinkContext, SinkResult
from apps.ledger.models import Account


def _money_accounts(ctx: SinkContext, qbo_ids: set[str]) -> dict[str, int]:
    """{qbo_id: pk} of the given accounts that are Bank or Credit Card accounts."""
    if not qbo_ids:
        return {}
    return dict(Account.objects.filter(
        realm_id=ctx.realm_id, qbo_id__in=qbo_ids,
        account_type__in=(Account.Type.BANK, Account.Type.CREDIT_CARD),
    ).values_list("qbo_id", "pk"))


def purchases_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    """Purchases, and their lines on money accounts (see PurchaseLine: card payoffs)."""
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(Purchase, ctx.realm_id, gone))
    accounts = id_map(Account, ctx.realm_id, (d.account_ref.value for d in live))
    money_accounts = _money_accounts(ctx, {
        ln.account_ref.value for d in live for ln in d.lines if ln.account_ref})
    objs, lines_of = [], {}
    for dto in live:
        problem = money_problem("TotalAmt", dto.total) or money_problem("Home", dto.home_total)
        problem = problem or lines_problem(dto.lines)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        payee = dto.entity_ref
        objs.append(dict(
            **synced_fields(dto, ctx.realm_id),
            account_id=accounts.get(dto.account_ref.value),
            account_qbo_id=dto.account_ref.value,
            payment_type=dto.payment_type,
            txn_date=dto.txn_date,
            total=money(dto.total),
            **currency_fields(dto, ctx),
            home_total=money(dto.home_total),
            counterparty=clip(payee.name if payee else "", 200),
            counterparty_qbo_id=ref_value(payee),
            counterparty_type=clip(payee.type if payee else "", 16),
            is_credit=dto.credit,
            doc_number=clip(dto.doc_number, 64),
            memo=clip(dto.private_note, 400),
        ))
        lines_of[dto.qbo_id] = [
            {"account_id": money_accounts[ln.account_ref.value],
             "account_qbo_id": ref_value(ln.account_ref), "amount": money(ln.amount),
             "description": clip(ln.description, 400)}
            for ln in dto.lines
            if ln.account_ref is not None and ln.account_ref.value in money_accounts
        ]
    pks = upsert(Purchase, objs, [
        "account", "account_qbo_id", "payment_type", "txn_date", "total", "currency",
        "exchange_rate", "home_total", "counterparty", "counterparty_qbo_id",
        "counterparty_type", "is_credit", "doc_number", "memo",
    ])
    replace_lines(PurchaseLine, "purchase_id", pks, lines_of)
    result.stored += len(objs)
    return result


def deposits_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(Deposit, ctx.realm_id, gone))
    accounts = id_map(Account, ctx.realm_id, (d.deposit_to_account_ref.value for d in live))
    objs = []
    for dto in live:
        problem = money_problem("TotalAmt", dto.total) or money_problem("Home", dto.home_total)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        objs.append(dict(
            **synced_fields(dto, ctx.realm_id),
            account_id=accounts.get(dto.deposit_to_account_ref.value),
            account_qbo_id=dto.deposit_to_account_ref.value,
            txn_date=dto.txn_date,
            total=money(dto.total),
            **currency_fields(dto, ctx),
            home_total=money(dto.home_total),
        ))
    upsert(Deposit, objs, ["account", "account_qbo_id", "txn_date", "total", "currency",
                           "exchange_rate", "home_total"])
    result.stored += len(objs)
    return result


def transfers_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(Transfer, ctx.realm_id, gone))
    refs = [d.from_account_ref.value for d in live] + [d.to_account_ref.value for d in live]
    accounts = id_map(Account, ctx.realm_id, refs)
    objs = []
    for dto in live:
        problem = money_problem("Amount", dto.amount)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        objs.append(dict(
            **synced_fields(dto, ctx.realm_id),
            from_account_id=accounts.get(dto.from_account_ref.value),
            to_account_id=accounts.get(dto.to_account_ref.value),
            from_account_qbo_id=dto.from_account_ref.value,
            to_account_qbo_id=dto.to_account_ref.value,
            txn_date=dto.txn_date,
            amount=money(dto.amount),
            **currency_fields(dto, ctx),
        ))
    upsert(Transfer, objs, [
        "from_account", "to_account", "from_account_qbo_id", "to_account_qbo_id", "txn_date",
        "amount", "currency", "exchange_rate",
    ])
    result.stored += len(objs)
    return result
