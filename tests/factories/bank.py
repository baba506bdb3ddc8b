"""Bank accounts and money movements as QuickBooks and the Plaid feed know them: purchases
(with lines), deposits, transfers, card payments, journal entries (with lines), feed accounts
and feed transactions (tenant schema)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from apps.bank.models import (
    Account,
    BankTransaction,
    CreditCardPayment,
    Deposit,
    FeedAccount,
    JournalEntry,
    JournalEntryLine,
    Purchase,
    PurchaseLine,
    Transfer,
)

from .base import MoneyMovementFactory, QboSyncedFactory, TenantFactory


class AccountFactory(QboSyncedFactory):
    class Meta:
        model = Account

    name = "Operating"
    account_type = Account.Type.BANK
    current_balance = Decimal("50000.00")
    included_in_runway = True


class PurchaseFactory(MoneyMovementFactory):
    """Money out of `account` recorded in QuickBooks (expense, check, card charge)."""

    class Meta:
        model = Purchase


class DepositFactory(MoneyMovementFactory):
    class Meta:
        model = Deposit


class TransferFactory(QboSyncedFactory):
    class Meta:
        model = Transfer

    from_account = factory.SubFactory(AccountFactory, name="Operating")
    to_account = factory.SubFactory(AccountFactory, name="Savings")
    from_account_qbo_id = factory.SelfAttribute("from_account.qbo_id")
    to_account_qbo_id = factory.SelfAttribute("to_account.qbo_id")
    txn_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    amount = Decimal("100.00")


class FeedAccountFactory(TenantFactory):
    """A bank account as the Plaid feed reports it."""

    class Meta:
        model = FeedAccount

    item_id = "item-sandbox"
    plaid_account_id = factory.Sequence(lambda n: f"plaid-acct-{n}")
    name = "Plaid Checking"
    mask = "0000"
    type = "depository"
    subtype = "checking"


class BankTransactionFactory(TenantFactory):
    class Meta:
        model = BankTransaction

    feed_account = factory.SubFactory(FeedAccountFactory)
    transaction_id = factory.Sequence(lambda n: f"txn-{n}")
    date = factory.LazyFunction(lambda: date.today() - timedelta(days=2))
    amount = Decimal("42.00")
    name = "Coffee Roasters"


class PurchaseLineFactory(TenantFactory):
    class Meta:
        model = PurchaseLine

    purchase = factory.SubFactory(PurchaseFactory)
    account = None
    account_qbo_id = factory.LazyAttribute(lambda o: o.account.qbo_id if o.account else "")
    amount = Decimal("100.00")


class CreditCardPaymentFactory(QboSyncedFactory):
    """A card paid off from a bank account (QBO's CreditCardPayment)."""

    class Meta:
        model = CreditCardPayment

    txn_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    amount = Decimal("100.00")
    bank_account = factory.SubFactory(AccountFactory, name="Operating")
    bank_account_qbo_id = factory.LazyAttribute(
        lambda o: o.bank_account.qbo_id if o.bank_account else "")
    card_account = factory.SubFactory(
        AccountFactory, name="Card", account_type=Account.Type.CREDIT_CARD,
        current_balance=Decimal("-100.00"))
    card_account_qbo_id = factory.LazyAttribute(
        lambda o: o.card_account.qbo_id if o.card_account else "")


class JournalEntryFactory(QboSyncedFactory):
    """A journal entry (its lines come from JournalEntryLineFactory; QBO's TotalAmt is 0)."""

    class Meta:
        model = JournalEntry

    txn_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))


class JournalEntryLineFactory(TenantFactory):
    class Meta:
        model = JournalEntryLine

    entry = factory.SubFactory(JournalEntryFactory)
    posting_type = JournalEntryLine.Posting.CREDIT
    amount = Decimal("100.00")
    account = factory.SubFactory(AccountFactory)
    account_qbo_id = factory.LazyAttribute(lambda o: o.account.qbo_id if o.account else "")
