"""Fields every record mirrored from QuickBooks carries."""

from django.db import models


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
