"""Deposits, purchases and both legs of transfers as money through a bank account, for
reconciliation (``apps.ledger.movements``; ap and ar register their payments beside these)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from apps.bank.models import CreditCardPayment, Deposit, JournalEntryLine, Purchase, Transfer
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


def journal_entry_movements(account_qbo_ids: set[str]) -> Iterator[QboRecord]:
    """A journal entry's lines on a bank account (Credit = out, Debit = in; DESIGN §4b), one
    record per entry and account — payroll booked this way is a QuickBooks record too."""
    net: dict[tuple[int, str], list] = {}
    for pk, acct, day, posting, amount, memo in JournalEntryLine.objects.filter(
        entry__is_deleted=False, account_qbo_id__in=list(account_qbo_ids)
    ).values_list("entry_id", "account_qbo_id", "entry__txn_date", "posting_type", "amount",
                  "entry__memo"):
        row = net.setdefault((pk, acct), [day, 0, memo])
        row[1] += amount if posting == JournalEntryLine.Posting.CREDIT else -amount
    for (pk, acct), (day, amount, memo) in net.items():
        if amount:
            yield QboRecord("journal_entry", pk, acct, day, amount, memo or "")


def card_payment_movements(account_qbo_ids: set[str]) -> Iterator[QboRecord]:
    """A CreditCardPayment: money out of its bank account to the card."""
    for pk, acct, day, amount, card in CreditCardPayment.objects.filter(
        is_deleted=False, bank_account_qbo_id__in=list(account_qbo_ids)
    ).values_list("pk", "bank_account_qbo_id", "txn_date", "amount", "card_account_qbo_id"):
        yield QboRecord("card_payment", pk, acct, day, amount, "", card)

