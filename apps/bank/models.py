"""Plaid feed accounts and money moving through accounts: purchases, deposits, transfers, credit
card payments and journal entries. The QBO chart of accounts (``Account``) is the ledger's
(``apps.ledger.models``), shared with ap and ar.

Currency convention: see ``apps/core/synced.QboTransaction`` (``currency`` = CurrencyRef or home;
``exchange_rate`` = the transaction's ExchangeRate, NULL when in the home currency). An
Account's ``current_balance`` is in the account's own ``currency``; liabilities (credit cards)
carry QBO's sign: negative when money is owed.
"""

from django.db import models

from apps.core.fields import MoneyField
from apps.core.synced import QboTotalledTransaction, QboTransaction, live_by_date_index
from apps.ledger.models import Account, AccountLine


class FeedAccount(models.Model):
    """A Plaid account. Linked to its QBO account (confirmed by the owner) so cash counts once."""

    item_id = models.CharField(max_length=128, db_index=True)
    plaid_account_id = models.CharField(max_length=128, unique=True)
    name = models.CharField(max_length=200)
    official_name = models.CharField(max_length=200, blank=True)
    mask = models.CharField(max_length=8, blank=True)
    type = models.CharField(max_length=32)
    subtype = models.CharField(max_length=32, blank=True)
    current_balance = MoneyField(null=True, blank=True)
    available_balance = MoneyField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    balance_at = models.DateTimeField(null=True, blank=True)
    linked_account = models.OneToOneField(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed"
    )
    link_confirmed = models.BooleanField(default=False)
    removed = models.BooleanField(default=False)
    # Our guess at the QBO copy (mask, name, balance); the owner confirms or rejects it.
    suggested_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion_reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ••{self.mask}"


class BankTransaction(models.Model):
    """A bank-feed transaction. `amount` is positive when money leaves (Plaid's convention)."""

    feed_account = models.ForeignKey(FeedAccount, on_delete=models.CASCADE, related_name="txns")
    transaction_id = models.CharField(max_length=128, unique=True)
    pending_transaction_id = models.CharField(max_length=128, blank=True)
    date = models.DateField(db_index=True)
    authorized_date = models.DateField(null=True, blank=True)
    amount = MoneyField()
    currency = models.CharField(max_length=3, default="USD")
    name = models.CharField(max_length=300)
    merchant_name = models.CharField(max_length=200, blank=True)
    counterparty = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=100, blank=True)
    pending = models.BooleanField(default=False)
    is_transfer = models.BooleanField(default=False)
    matched_type = models.CharField(max_length=32, blank=True)
    matched_id = models.BigIntegerField(null=True, blank=True)
    match_reason = models.CharField(max_length=64, blank=True)
    # Runway key of the other side of an own-account transfer ("qbo:<id>" / "feed:<pk>").
    transfer_to_key = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        indexes = [models.Index(fields=["feed_account", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.name} {self.amount}"


class Purchase(QboTotalledTransaction):
    """An expense paid by check, cash or card straight from an account (QBO Purchase).

    ``payment_type`` is QBO's PaymentType (Cash | Check | CreditCard); ``account`` is the bank
    or card account paid from; ``is_credit`` is QBO's ``Credit`` flag (CreditCard only: a card
    credit/refund). A CreditCard purchase with ``is_credit`` whose ``lines`` point at a bank
    account is how some books record paying the card off (DESIGN §4b): the lines say from
    which bank account, by how much.
    """

    account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    account_qbo_id = models.CharField(max_length=32, blank=True)
    payment_type = models.CharField(max_length=32, blank=True)
    counterparty = models.CharField(max_length=200, blank=True)
    counterparty_qbo_id = models.CharField(max_length=32, blank=True)
    counterparty_type = models.CharField(max_length=16, blank=True)  # EntityRef.type
    is_credit = models.BooleanField(default=False)  # a refund to the account
    doc_number = models.CharField(max_length=64, blank=True)
    memo = models.CharField(max_length=400, blank=True)

    class Meta(QboTotalledTransaction.Meta):
        # The runway reads a year of purchases of the bank accounts that feed its burn; most
        # purchases of an agency are on cards, which this index skips without reading them.
        indexes = [live_by_date_index("account_qbo_id", "bank_purch_acct_date_live")]

    def __str__(self) -> str:
        return f"Purchase {self.qbo_id} {self.total}"  # not its doc number (a check's)


class PurchaseLine(AccountLine):
    """A line of a purchase that points at one of the company's money accounts (Bank or
    Credit Card): how books record paying a card off (a card purchase with ``Credit`` whose
    line is on the bank account). Expense and item lines are not kept — the purchase's own
    total carries their money, and skipping them keeps the sync fast. Replaced wholesale on
    every sync of its purchase."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        indexes = [models.Index(fields=["account_qbo_id"])]


class Deposit(QboTotalledTransaction):
    account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    account_qbo_id = models.CharField(max_length=32, blank=True)


class Transfer(QboTransaction):
    from_account = models.ForeignKey(
        Account, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    from_account_qbo_id = models.CharField(max_length=32, blank=True)
    to_account_qbo_id = models.CharField(max_length=32, blank=True)
    amount = MoneyField()

    def __str__(self) -> str:
        return f"Transfer {self.qbo_id} {self.amount}"


class CreditCardPayment(QboTransaction):
    """A QBO CreditCardPayment (read responses call it ``CreditCardPaymentTxn``): ``amount``
    out of ``bank_account`` onto ``card_account``. QBO allows only the home currency here;
    ``currency``/``exchange_rate`` are kept for the shared convention."""

    amount = MoneyField()
    bank_account = models.ForeignKey(
        Account, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    bank_account_qbo_id = models.CharField(max_length=32)
    card_account = models.ForeignKey(
        Account, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    card_account_qbo_id = models.CharField(max_length=32)
    check_num = models.CharField(max_length=32, blank=True)
    memo = models.CharField(max_length=400, blank=True)

    class Meta(QboTransaction.Meta):
        indexes = [live_by_date_index("bank_account_qbo_id", "bank_ccpay_acct_date_live")]

    def __str__(self) -> str:
        return f"CreditCardPayment {self.qbo_id} {self.amount}"


class JournalEntry(QboTransaction):
    """A QBO JournalEntry (payroll providers post pay runs this way). The money is in the
    ``lines``: ``total`` is QBO's TotalAmt stored as given — 0 on real entries, never use it.
    ``memo`` is PrivateNote (keys the payroll series when lines name no entity)."""

    doc_number = models.CharField(max_length=64, blank=True)
    memo = models.CharField(max_length=400, blank=True)
    adjustment = models.BooleanField(default=False)
    total = MoneyField(default=0)

    class Meta(QboTransaction.Meta):
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"JournalEntry {self.doc_number or self.qbo_id} {self.txn_date}"


class JournalEntryLine(models.Model):
    """One line of a journal entry: ``amount`` (≥ 0, in the entry's currency) posted as a
    Debit or Credit to ``account``. On a bank account, Credit = money out, Debit = money in.
    ``entity_type``/``entity_qbo_id`` are the line's ``Entity`` (Vendor | Customer | Employee;
    polymorphic, so no foreign key); class/department refs are kept for segmentation.
    Replaced wholesale on every sync of its entry."""

    class Posting(models.TextChoices):
        DEBIT = "Debit"
        CREDIT = "Credit"

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines")
    line_id = models.CharField(max_length=32, blank=True)
    posting_type = models.CharField(max_length=6, choices=Posting.choices)
    amount = MoneyField()
    account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    account_qbo_id = models.CharField(max_length=32)
    entity_type = models.CharField(max_length=16, blank=True)
    entity_qbo_id = models.CharField(max_length=32, blank=True)
    entity_name = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=400, blank=True)
    klass = models.ForeignKey(
        "ledger.Class", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    class_qbo_id = models.CharField(max_length=32, blank=True)
    department = models.ForeignKey(
        "ledger.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department_qbo_id = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account_qbo_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="jeline_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.posting_type} {self.account_qbo_id}: {self.amount}"
