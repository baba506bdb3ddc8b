"""QBO → bank models: accounts, purchases (expenses by check/cash/card), deposits, transfers.

Registered as sync sinks in ``BankConfig.ready()``; each handles one page of DTOs with one
bulk upsert and one id lookup per referenced model.
"""

from __future__ import annotations

from typing import Any

from apps.bank.models import Account, Deposit, Purchase, Transfer
from apps.integrations.sync.ingest_helpers import (
    clip,
    id_map,
    mark_deleted,
    money,
    money_problem,
    split_deleted,
    synced_fields,
    upsert,
)
from apps.integrations.sync.sinks import SinkContext, SinkResult, register_sink

_ACCOUNT_TYPES = {"Bank": Account.Type.BANK, "Credit Card": Account.Type.CREDIT_CARD}


def accounts_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(Account, ctx.realm_id, gone))
    objs = []
    for dto in live:
        problem = money_problem("CurrentBalance", dto.current_balance)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        objs.append(dict(
            **synced_fields(dto, ctx.realm_id),
            name=clip(dto.fully_qualified_name or dto.name, 200),
            account_type=_ACCOUNT_TYPES.get(dto.account_type, Account.Type.OTHER),
            qbo_account_type=clip(dto.account_type, 64),
            account_subtype=clip(dto.account_sub_type, 64),
            acct_num=clip(dto.acct_num, 64),
            current_balance=money(dto.current_balance),
            currency=clip(dto.currency or ctx.business.currency, 3),
            active=dto.active,
        ))
    upsert(Account, objs, [
        "name", "account_type", "qbo_account_type", "account_subtype", "acct_num",
        "current_balance", "currency", "active",
    ])
    result.stored += len(objs)
    ctx.touch("Account", [o["qbo_id"] for o in objs])
    return result


def purchases_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(Purchase, ctx.realm_id, gone))
    accounts = id_map(Account, ctx.realm_id, (d.account_ref.value for d in live))
    objs = []
    for dto in live:
        problem = money_problem("TotalAmt", dto.total) or money_problem("Home", dto.home_total)
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
            currency=clip(dto.currency or ctx.business.currency, 3),
            home_total=money(dto.home_total),
            counterparty=clip(payee.name if payee else "", 200),
            counterparty_qbo_id=clip(payee.value if payee else "", 32),
            is_credit=dto.credit,
        ))
    upsert(Purchase, objs, [
        "account", "account_qbo_id", "payment_type", "txn_date", "total", "currency",
        "home_total", "counterparty", "counterparty_qbo_id", "is_credit",
    ])
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
            home_total=money(dto.home_total),
        ))
    upsert(Deposit, objs, ["account", "account_qbo_id", "txn_date", "total", "home_total"])
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
        ))
    upsert(Transfer, objs, [
        "from_account", "to_account", "from_account_qbo_id", "to_account_qbo_id", "txn_date",
        "amount",
    ])
    result.stored += len(objs)
    return result


def register() -> None:
    register_sink("Account", accounts_ingest)
    register_sink("Purchase", purchases_ingest)
    register_sink("Deposit", deposits_ingest)
    register_sink("Transfer", transfers_ingest)
