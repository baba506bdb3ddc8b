"""Fields every record mirrored from QuickBooks carries."""

from django.db import models

from apps.core.fields import MoneyField


class QboSyncedModel(models.Model):
    """Unique on (realm, QBO id); deletes in QBO are honoured as `is_deleted` (kept for history)."""

    realm_id = models.CharField(max_length=32)
    qbo_id = models.CharField(max_length=32)
    sync_token = models.CharField(max_length=16, blank=True)
    qbo_updated_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["realm_id", "qbo_id"], name="%(app_label)s_%(class)s_unique_qbo_id"
            )
        ]


class QboParty(QboSyncedModel):
    """A vendor or a customer as QBO has it (ap.Vendor, ar.Customer): the same fields."""

    display_name = models.CharField(max_length=200)
    company_name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    active = models.BooleanField(default=True)
    balance = MoneyField(default=0)
    currency = models.CharField(max_length=3, default="USD")

    class Meta(QboSyncedModel.Meta):
        abstract = True
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class OpenDocumentQuerySet(models.QuerySet):
    """Bills and invoices: live (not deleted in QBO), open (money left), overdue."""

    def live(self):
        return self.filter(is_deleted=False)

    def open(self):
        return self.live().filter(balance__gt=0)

    def overdue(self, as_of):
        return self.open().filter(due_date__lt=as_of)


class QboDocument(QboSyncedModel):
    """An open-item document as QBO has it (ap.Bill, ar.Invoice): number, dates, amounts in its
    own currency and in home money. ``balance`` is QBO's truth about what is still open."""

    doc_number = models.CharField(max_length=64, blank=True)
    txn_date = models.DateField(db_index=True)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    total = MoneyField()
    balance = MoneyField()
    currency = models.CharField(max_length=3, default="USD")
    # NULL: home currency; as precise as ExchangeRate.rate.
    exchange_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    home_total = MoneyField()
    home_balance = MoneyField()

    class Meta(QboSyncedModel.Meta):
        abstract = True
        indexes = [models.Index(fields=["is_deleted", "balance", "due_date"])]
        constraints = [
            *QboSyncedModel.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="%(class)s_balance_not_negative"
            ),
        ]
