"""Bank accounts (QBO chart of accounts, Plaid feed accounts) and money moving through them."""

from django.db import models

from apps.core.synced import QboSyncedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class AccountQuerySet(models.QuerySet):
    def cash(self):
        return self.filter(account_type=Account.Type.BANK, is_deleted=False, active=True)

    def in_runway(self):
        return self.cash().filter(included_in_runway=True)


class Account(QboSyncedModel):
    """A QBO account. Bank accounts count toward cash unless the owner excludes them."""

    class Type(models.TextChoices):
        BANK = "Bank"
        CREDIT_CARD = "Credit Card"
        OTHER = "Other"

    name = models.CharField(max_length=200)
    account_type = models.CharField(max_length=32, choices=Type.choices, default=Type.OTHER)
    qbo_account_type = models.CharField(max_length=64, blank=True)
    account_subtype = models.CharField(max_length=64, blank=True)
    acct_num = models.CharField(max_length=64, blank=True)
    current_balance = models.DecimalField(**MONEY, default=0)
    currency = models.CharField(max_length=3, default="USD")
    active = models.BooleanField(default=True)
    included_in_runway = models.BooleanField(default=True)

    objects = AccountQuerySet.as_manager()

    class Meta(QboSyncedModel.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def mask(self) -> str:
        digits = "".join(ch for ch in self.acct_num if ch.isdigit())
        return digits[-4:]


class FeedAccount(models.Model):
    """A Plaid account. Linked to its QBO account (confirmed by the owner) so cash counts once."""

    item_id = models.CharField(max_length=128, db_index=True)
    plaid_account_id = models.CharField(max_length=128, unique=True)
    name = models.CharField(max_length=200)
    official_name = models.CharField(max_length=200, blank=True)
    mask = models.CharField(max_length=8, blank=True)
    type = models.CharField(max_length=32)
    subtype = models.CharField(max_length=32, blank=True)
    current_balance = models.DecimalField(**MONEY, null=True, blank=True)
    available_balance = models.DecimalField(**MONEY, null=True, blank=True)
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
    amount = models.DecimalField(**MONEY)
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


class Purchase(QboSyncedModel):
    """An expense paid by check, cash or card straight from an account (QBO Purchase)."""

    account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    account_qbo_id = models.CharField(max_length=32, blank=True)
    payment_type = models.CharField(max_length=32, blank=True)
    txn_date = models.DateField(db_index=True)
    total = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="USD")
    home_total = models.DecimalField(**MONEY)
    counterparty = models.CharField(max_length=200, blank=True)
    counterparty_qbo_id = models.CharField(max_length=32, blank=True)
    is_credit = models.BooleanField(default=False)  # a refund to the account

    class Meta(QboSyncedModel.Meta):
        # The runway reads a year of purchases of the bank accounts that feed its burn; most
        # purchases of an agency are on cards, which this index skips without reading them.
        indexes = [
            models.Index(fields=["account_qbo_id", "txn_date"], name="bank_purch_acct_date_live",
                         condition=models.Q(is_deleted=False)),
        ]

    def __str__(self) -> str:
        return f"Purchase {self.qbo_id} {self.total}"


class Deposit(QboSyncedModel):
    account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    account_qbo_id = models.CharField(max_length=32, blank=True)
    txn_date = models.DateField(db_index=True)
    total = models.DecimalField(**MONEY)
    home_total = models.DecimalField(**MONEY)

    def __str__(self) -> str:
        return f"Deposit {self.qbo_id} {self.total}"


class Transfer(QboSyncedModel):
    from_account = models.ForeignKey(
        Account, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    from_account_qbo_id = models.CharField(max_length=32, blank=True)
    to_account_qbo_id = models.CharField(max_length=32, blank=True)
    txn_date = models.DateField(db_index=True)
    amount = models.DecimalField(**MONEY)

    def __str__(self) -> str:
        return f"Transfer {self.qbo_id} {self.amount}"
