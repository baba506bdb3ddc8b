"""Deposits, purchases and both legs of transfers as money through a bank account, for
reconciliation (``apps.ledger.movements``; ap and ar register their payments beside these)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from apps.bank.models import Deposit, Purchase, Transfer
from apps.ledger.movements import QboRecord


def deposit_movements(account_qbo_ids: set[str]) -> Iterator[QboRecord]:
    for pk, acct, day, total in Deposit.objects.filter(
        is_deleted=False, account_qbo_id__in=list(account_qbo_ids)
    ).values_list("pk", "account_qbo_id", "txn_date", "total"):
        yield QboRecord("deposit", pk, acct, day, -total)


def purchase_movements(account_qbo_ids: set[str]) -> Iterator[QboRecord]:
    for pk, acct, day, total, who, credit in Purchase.objects.filter(
        is_deleted=False, account_qbo_id__in=list(account_qbo_ids)
    ).values_list("pk", "account_qbo_id", "txn_date", "total", "counterparty", "is_credit"):
        yield QboRecord("purchase", pk, acct, day, -total if credit else total, who or "")


def transfer_movements(account_qbo_ids: set[str]) -> Iterator[QboRecord]:
    ids = list(account_qbo_ids)
    either = Q(from_account_qbo_id__in=ids) | Q(to_account_qbo_id__in=ids)
    for pk, src, dst, day, amount in Transfer.objects.filter(either, is_deleted=False).values_list(
        "pk", "from_account_qbo_id", "to_account_qbo_id", "txn_date", "amount"
    ):
        if src in account_qbo_ids:
            yield QboRecord("transfer", pk, src, day, amount, "", dst)
        if dst in account_qbo_ids:
            yield QboRecord("transfer", pk, dst, day, -amount, "", src)
