"""QBO → the cash movements real agencies' books add (DESIGN §4b): credit card payments and
journal entries (with their lines: the money of a journal entry is only in its lines).

Plugged in ``oodaloo/wiring.py``.
"""

from __future__ import annotations

from typing import Any

from apps.bank.models import Account, CreditCardPayment, JournalEntry, JournalEntryLine
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
from apps.ledger.models import Class, Department


def credit_card_payments_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(CreditCardPayment, ctx.realm_id, gone))
    accounts = id_map(Account, ctx.realm_id, [d.bank_account_ref.value for d in live] + [
        d.credit_card_account_ref.value for d in live])
    objs = []
    for dto in live:
        problem = money_problem("Amount", dto.amount)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        objs.append(dict(
            **synced_fields(dto, ctx.realm_id),
            txn_date=dto.txn_date,
            amount=money(dto.amount),
            **currency_fields(dto, ctx),
            bank_account_id=accounts.get(dto.bank_account_ref.value),
            bank_account_qbo_id=ref_value(dto.bank_account_ref),
            card_account_id=accounts.get(dto.credit_card_account_ref.value),
            card_account_qbo_id=ref_value(dto.credit_card_account_ref),
            check_num=clip(dto.check_num, 32),
            memo=clip(dto.private_note, 400),
        ))
    upsert(CreditCardPayment, objs, [
        "txn_date", "amount", "currency", "exchange_rate", "bank_account",
        "bank_account_qbo_id", "card_account", "card_account_qbo_id", "check_num", "memo",
    ])
    result.stored += len(objs)
    return result


def _line_row(line: Any, accounts: dict, classes: dict, departments: dict) -> dict[str, Any]:
    return {
        "line_id": clip(line.line_id, 32),
        "posting_type": line.posting_type,
        "amount": money(line.amount),
        "account_id": accounts.get(line.account_ref.value),
        "account_qbo_id": ref_value(line.account_ref),
        "entity_type": clip(line.entity_type, 16),
        "entity_qbo_id": ref_value(line.entity_ref),
        "entity_name": clip(line.entity_ref.name if line.entity_ref else "", 200),
        "description": clip(line.description, 400),
        "klass_id": classes.get(ref_value(line.class_ref)),
        "class_qbo_id": ref_value(line.class_ref),
        "department_id": departments.get(ref_value(line.department_ref)),
        "department_qbo_id": ref_value(line.department_ref),
    }


def journal_entries_ingest(ctx: SinkContext, dtos: list[Any]) -> SinkResult:
    """Journal entries with their lines; ``TotalAmt`` is stored as given and never used."""
    live, gone = split_deleted(dtos)
    result = SinkResult(stored=mark_deleted(JournalEntry, ctx.realm_id, gone))
    lines = [ln for d in live for ln in d.lines]
    accounts = id_map(Account, ctx.realm_id, (ln.account_ref.value for ln in lines))
    classes = id_map(Class, ctx.realm_id, (ref_value(ln.class_ref) for ln in lines))
    departments = id_map(Department, ctx.realm_id, (ref_value(ln.department_ref) for ln in lines))
    objs, lines_of = [], {}
    for dto in live:
        problem = money_problem("TotalAmt", dto.total) or lines_problem(dto.lines)
        if problem:
            result.rejected[dto.qbo_id] = problem
            continue
        objs.append(dict(
            **synced_fields(dto, ctx.realm_id),
            txn_date=dto.txn_date,
            doc_number=clip(dto.doc_number, 64),
            memo=clip(dto.private_note, 400),
            adjustment=dto.adjustment,
            total=money(dto.total),
            **currency_fields(dto, ctx),
        ))
        lines_of[dto.qbo_id] = [_line_row(ln, accounts, classes, departments) for ln in dto.lines]
    pks = upsert(JournalEntry, objs, [
        "txn_date", "doc_number", "memo", "adjustment", "total", "currency", "exchange_rate",
    ])
    replace_lines(JournalEntryLine, "entry_id", pks, lines_of)
    result.stored += len(objs)
    return result
