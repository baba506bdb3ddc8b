"""QBO → bank models: purchases (expenses by check/cash/card, with their account lines),
deposits, transfers, and the cash movements real agencies' books add (DESIGN §4b): credit card
payments and journal entries (with their lines: the money of a journal entry is only in its
lines). The chart of accounts (``Account``) is the ledger's sink (``apps.ledger.ingest``).

Plugged as sync sinks in ``oodaloo/wiring.py``; each handles one page of DTOs with one
bulk upsert and one id lookup per referenced model.
"""

from __future__ import annotations

from typing import Any

from apps.bank.models import (
    CreditCardPayment,
    Deposit,
    JournalEntry,
    JournalEntryLine,
    Purchase,
    PurchaseLine,
    Transfer,
)
from apps.integrations.sync.ingest_helpers import (
    Lines,
    clip,
    currency_fields,
    id_map,
    id_maps,
    lines_problem,
    money,
    money_problem,
    ref_value,
    rows_sink,
    synced_fields,
)
from apps.integrations.sync.sinks import SinkContext
from apps.ledger.models import Account, Class, Department

_MONEY_ACCOUNT = ' AND "account_type" = ANY(%s)'
_MONEY_TYPES = [Account.Type.BANK.value, Account.Type.CREDIT_CARD.value]


def amount_problem(dto: Any) -> str | None:
    """The amounts every cash movement with a home total carries."""
    return money_problem("TotalAmt", dto.total) or money_problem("Home", dto.home_total)


def _purchase_refs(ctx: SinkContext, live: list[Any]) -> dict[str, dict[str, int]]:
    return id_maps(ctx.realm_id, {
        "accounts": (Account, (d.account_ref.value for d in live)),
        # Lines on Bank or Credit Card accounts only (see PurchaseLine: card payoffs).
        "money_accounts": (Account, (
            ln.account_ref.value for d in live for ln in d.lines if ln.account_ref),
            _MONEY_ACCOUNT, [_MONEY_TYPES]),
    })


def _purchase_row(ctx: SinkContext, dto: Any, found: dict) -> dict[str, Any] | str:
    payee = dto.entity_ref
    return amount_problem(dto) or lines_problem(dto.lines) or dict(
        **synced_fields(dto, ctx.realm_id),
        account_id=found["accounts"].get(dto.account_ref.value),
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
    )


def _purchase_lines(dto: Any, found: dict) -> list[dict[str, Any]]:
    money_accounts = found["money_accounts"]
    return [
        {"account_id": money_accounts[ln.account_ref.value],
         "account_qbo_id": ref_value(ln.account_ref), "amount": money(ln.amount),
         "description": clip(ln.description, 400)}
        for ln in dto.lines
        if ln.account_ref is not None and ln.account_ref.value in money_accounts
    ]


# Purchases, and their lines on money accounts (see PurchaseLine: card payoffs).
purchases_ingest = rows_sink(Purchase, [
    "account", "account_qbo_id", "payment_type", "txn_date", "total", "currency",
    "exchange_rate", "home_total", "counterparty", "counterparty_qbo_id",
    "counterparty_type", "is_credit", "doc_number", "memo",
], _purchase_row, lookups=_purchase_refs,
    lines=[Lines(PurchaseLine, "purchase_id", _purchase_lines)])


def _deposit_accounts(ctx: SinkContext, live: list[Any]) -> dict[str, int]:
    return id_map(Account, ctx.realm_id, (d.deposit_to_account_ref.value for d in live))


deposits_ingest = rows_sink(
    Deposit, ["account", "account_qbo_id", "txn_date", "total", "currency", "exchange_rate",
              "home_total"],
    lambda ctx, dto, accounts: amount_problem(dto) or dict(
        **synced_fields(dto, ctx.realm_id),
        account_id=accounts.get(dto.deposit_to_account_ref.value),
        account_qbo_id=dto.deposit_to_account_ref.value,
        txn_date=dto.txn_date,
        total=money(dto.total),
        **currency_fields(dto, ctx),
        home_total=money(dto.home_total),
    ), lookups=_deposit_accounts)


def account_pair(first: str, second: str):
    """Lookups of a page moving money between two accounts (``first``/``second`` refs)."""

    def lookups(ctx: SinkContext, live: list[Any]) -> dict[str, int]:
        return id_map(Account, ctx.realm_id, [getattr(d, first).value for d in live]
                      + [getattr(d, second).value for d in live])

    return lookups


transfers_ingest = rows_sink(Transfer, [
    "from_account", "to_account", "from_account_qbo_id", "to_account_qbo_id", "txn_date",
    "amount", "currency", "exchange_rate",
], lambda ctx, dto, accounts: money_problem("Amount", dto.amount) or dict(
    **synced_fields(dto, ctx.realm_id),
    from_account_id=accounts.get(dto.from_account_ref.value),
    to_account_id=accounts.get(dto.to_account_ref.value),
    from_account_qbo_id=dto.from_account_ref.value,
    to_account_qbo_id=dto.to_account_ref.value,
    txn_date=dto.txn_date,
    amount=money(dto.amount),
    **currency_fields(dto, ctx),
), lookups=account_pair("from_account_ref", "to_account_ref"))


def _card_payment_row(ctx: SinkContext, dto: Any, accounts: dict) -> dict[str, Any] | str:
    return money_problem("Amount", dto.amount) or dict(
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
    )


credit_card_payments_ingest = rows_sink(CreditCardPayment, [
    "txn_date", "amount", "currency", "exchange_rate", "bank_account",
    "bank_account_qbo_id", "card_account", "card_account_qbo_id", "check_num", "memo",
], _card_payment_row, lookups=account_pair("bank_account_ref", "credit_card_account_ref"))


def _journal_refs(ctx: SinkContext, live: list[Any]) -> dict[str, dict[str, int]]:
    lines = [ln for d in live for ln in d.lines]
    return id_maps(ctx.realm_id, {
        "accounts": (Account, (ln.account_ref.value for ln in lines)),
        "classes": (Class, (ref_value(ln.class_ref) for ln in lines)),
        "departments": (Department, (ref_value(ln.department_ref) for ln in lines)),
    })


def _journal_lines(dto: Any, found: dict) -> list[dict[str, Any]]:
    accounts, classes, departments = found["accounts"], found["classes"], found["departments"]
    return [{
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
    } for line in dto.lines]


# Journal entries with their lines; ``TotalAmt`` is stored as given and never used.
journal_entries_ingest = rows_sink(JournalEntry, [
    "txn_date", "doc_number", "memo", "adjustment", "total", "currency", "exchange_rate",
], lambda ctx, dto, _found: money_problem("TotalAmt", dto.total) or lines_problem(dto.lines)
    or dict(
        **synced_fields(dto, ctx.realm_id),
        txn_date=dto.txn_date,
        doc_number=clip(dto.doc_number, 64),
        memo=clip(dto.private_note, 400),
        adjustment=dto.adjustment,
        total=money(dto.total),
        **currency_fields(dto, ctx),
), lookups=_journal_refs, lines=[Lines(JournalEntryLine, "entry_id", _journal_lines)])
