"""Fields every record mirrored from QuickBooks carries."""

from django.db import models

from apps.core.fields import ExchangeRateField, MoneyField


class LiveQuerySet(models.QuerySet):
    """Rows QBO still has: a delete in QBO is kept here as ``is_deleted``."""

    def live(self):
        return self.filter(is_deleted=False)


class QboSyncedModel(models.Model):
    """Unique on (realm, QBO id); deletes in QBO are honoured as `is_deleted` (kept for history)."""

    realm_id = models.CharField(max_length=32)
    qbo_id = models.CharField(max_length=32)
    sync_token = models.CharField(max_length=16, blank=True)
    qbo_updated_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    synced_at = models.DateTimeField(auto_now=True)

    objects = LiveQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["realm_id", "qbo_id"], name="%(app_label)s_%(class)s_unique_qbo_id"
            )
        ]


class QboNamedEntity(QboSyncedModel):
    """A QBO list entity known by its display name (vendors, customers, employees)."""

    display_name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta(QboSyncedModel.Meta):
        abstract = True
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class QboParty(QboNamedEntity):
    """A vendor or a customer as QBO has it (ap.Vendor, ar.Customer): the same fields."""

    company_name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    balance = MoneyField(default=0)
    currency = models.CharField(max_length=3, default="USD")

    class Meta(QboNamedEntity.Meta):
        abstract = True


def live_by_date_index(field: str, name: str) -> models.Index:
    """An index on (``field``, txn_date) of the rows QBO still has: the runway reads a year of
    an account's transactions by it."""
    return models.Index(fields=[field, "txn_date"], name=name,
                        condition=models.Q(is_deleted=False))


class QboTransaction(QboSyncedModel):
    """A dated QBO transaction in its own currency. Currency convention (every money model of
    ap/ar/bank): ``currency`` is the transaction's ISO code (QBO ``CurrencyRef``; the home
    currency when QBO sends none) and ``exchange_rate`` is QBO's ``ExchangeRate`` of the
    transaction — home units per one unit of ``currency`` on the transaction date — or NULL
    when the transaction is in the home currency. Amounts are stored as QBO gives them, in
    ``currency``; ``home_*`` columns are QBO's Home amounts (or amount × rate)."""

    txn_date = models.DateField(db_index=True)
    currency = models.CharField(max_length=3, default="USD")
    exchange_rate = ExchangeRateField(null=True, blank=True)  # NULL: home currency

    class Meta(QboSyncedModel.Meta):
        abstract = True


class QboTotalledTransaction(QboTransaction):
    """A transaction with a total, in its own currency and in home money."""

    total = MoneyField()
    home_total = MoneyField()

    class Meta(QboTransaction.Meta):
        abstract = True

    def __str__(self) -> str:
        # Its document number when it has one (bills, invoices, credits, receipts).
        number = getattr(self, "doc_number", "") or self.qbo_id
        return f"{type(self).__name__} {number} {self.total}"


class OpenDocumentQuerySet(LiveQuerySet):
    """Bills and invoices: live (not deleted in QBO), open (money left), overdue."""

    def open(self):
        return self.live().filter(balance__gt=0)

    def overdue(self, as_of):
        return self.open().filter(due_date__lt=as_of)


class QboDocument(QboTotalledTransaction):
    """An open-item document as QBO has it (ap.Bill, ar.Invoice): number, dates, amounts in its
    own currency and in home money. ``balance`` is QBO's truth about what is still open."""

    doc_number = models.CharField(max_length=64, blank=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    balance = MoneyField()
    home_balance = MoneyField()

    class Meta(QboTotalledTransaction.Meta):
        abstract = True
        indexes = [models.Index(fields=["is_deleted", "balance", "due_date"])]
        constraints = [
            *QboSyncedModel.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="%(class)s_balance_not_negative"
            ),
        ]
