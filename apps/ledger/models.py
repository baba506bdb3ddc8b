"""Reference data from QuickBooks that every domain app may read: the chart of accounts, exchange
rates, the company's currencies, classes, departments and employees (names only).

This is a kernel-level domain app (below ap/ar/bank, above the integrations): the runway and
the money apps read it, it reads nothing of theirs. Every model mirrors one QBO entity
(``QboSyncedModel``: unique on realm + QBO id, deletes kept as ``is_deleted``).
"""

from django.db import models

from apps.core.fields import ExchangeRateField, MoneyField
from apps.core.synced import LiveQuerySet, QboNamedEntity, QboSyncedModel


class AccountQuerySet(models.QuerySet):
    def cash(self):
        return self.filter(account_type=Account.Type.BANK, is_deleted=False, active=True)

    def in_runway(self):
        return self.cash().filter(included_in_runway=True)


class Account(QboSyncedModel):
    """A QBO account (the chart of accounts). Bank accounts count toward cash unless the owner
    excludes them. ``current_balance`` is in the account's own ``currency``; liabilities (credit
    cards) carry QBO's sign: negative when money is owed.

    ap, ar and bank all point at accounts, so the model lives here, below them. It was
    ``bank.Account``: the table keeps its name (``bank_account``) and its constraint's name.
    """

    class Type(models.TextChoices):
        BANK = "Bank"
        CREDIT_CARD = "Credit Card"
        OTHER = "Other"

    name = models.CharField(max_length=200)
    account_type = models.CharField(max_length=32, choices=Type.choices, default=Type.OTHER)
    qbo_account_type = models.CharField(max_length=64, blank=True)
    account_subtype = models.CharField(max_length=64, blank=True)
    acct_num = models.CharField(max_length=64, blank=True)
    current_balance = MoneyField(default=0)
    currency = models.CharField(max_length=3, default="USD")
    active = models.BooleanField(default=True)
    included_in_runway = models.BooleanField(default=True)

    objects = AccountQuerySet.as_manager()

    class Meta(QboSyncedModel.Meta):
        db_table = "bank_account"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["realm_id", "qbo_id"], name="bank_account_unique_qbo_id"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def mask(self) -> str:
        digits = "".join(ch for ch in self.acct_num if ch.isdigit())
        return digits[-4:]


class AccountLine(models.Model):
    """A line of a QBO transaction that points at an account (a vendor credit's expense line, a
    purchase's line on a money account). Replaced wholesale on every sync of its transaction."""

    account = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    account_qbo_id = models.CharField(max_length=32, blank=True)
    amount = MoneyField()
    description = models.CharField(max_length=400, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.account_qbo_id}: {self.amount}"


class ExchangeRateQuerySet(LiveQuerySet):
    def current(self, source: str, as_of):
        """The rate of ``source`` in force on ``as_of``: the latest AsOfDate on or before it."""
        return (
            self.live()
            .filter(source_currency=source, as_of__lte=as_of)
            .order_by("-as_of")
            .first()
        )


class ExchangeRate(QboSyncedModel):
    """One QBO ExchangeRate: ``rate`` home units (``target_currency``) per one unit of
    ``source_currency`` on ``as_of``.

    QBO's ExchangeRate objects have **no Id**; a rate is identified by (source, target,
    AsOfDate). ``qbo_id`` therefore holds that key, ``"<source>:<target>:<YYYY-MM-DD>"`` (e.g.
    ``"EUR:USD:2026-09-01"``), so the shared upsert (keyed on realm + qbo_id) applies; the
    second constraint states the real key. ``sync_token`` is QBO's SyncToken when sent.
    Rates are not in CDC: the sync re-reads recent rates by AsOfDate on every run.
    """

    source_currency = models.CharField(max_length=3)
    target_currency = models.CharField(max_length=3)
    as_of = models.DateField()
    rate = ExchangeRateField()

    objects = ExchangeRateQuerySet.as_manager()

    class Meta(QboSyncedModel.Meta):
        ordering = ["source_currency", "as_of"]
        constraints = [
            *QboSyncedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["realm_id", "source_currency", "target_currency", "as_of"],
                name="ledger_exchangerate_unique_pair_date",
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchangerate_positive"),
        ]
        indexes = [models.Index(fields=["source_currency", "as_of"])]

    def __str__(self) -> str:
        return f"1 {self.source_currency} = {self.rate} {self.target_currency} on {self.as_of}"

    @staticmethod
    def key(source: str, target: str, as_of) -> str:
        """The stand-in for the Id QBO does not give (see the class docstring)."""
        return f"{source}:{target}:{as_of.isoformat()}"


class CompanyCurrency(QboSyncedModel):
    """A currency the company uses besides its home currency (QBO CompanyCurrency)."""

    code = models.CharField(max_length=3)
    name = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    class Meta(QboSyncedModel.Meta):
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class _Segment(QboSyncedModel):
    """Class and Department share a shape: a name in a tree. Kept for later segmentation."""

    name = models.CharField(max_length=200)
    fully_qualified_name = models.CharField(max_length=400, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="children")
    parent_qbo_id = models.CharField(max_length=32, blank=True)
    active = models.BooleanField(default=True)

    class Meta(QboSyncedModel.Meta):
        abstract = True
        ordering = ["fully_qualified_name", "name"]

    def __str__(self) -> str:
        return self.fully_qualified_name or self.name


class Class(_Segment):
    """A QBO Class (segments transactions; journal lines may carry a ClassRef)."""


class Department(_Segment):
    """A QBO Department ("Location" in the QBO UI; journal lines may carry a DepartmentRef)."""


class Employee(QboNamedEntity):
    """A QBO Employee, names only (no pay, SSN or address is stored). A journal line's
    ``Entity`` may name one (``employee:<id>`` counterparty)."""

    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
