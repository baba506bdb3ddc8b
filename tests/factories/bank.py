"""Bank accounts and money movements as QuickBooks and the Plaid feed know them (tenant
schema)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from apps.bank.models import Account, BankTransaction, Deposit, FeedAccount, Purchase, Transfer

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
