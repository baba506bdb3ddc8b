"""Plaid items (one per linked bank login) per business; the access token is encrypted at rest."""

from datetime import datetime, timedelta

from django.db import models

from apps.core.crypto import EncryptedTextField

# A feed whose syncs keep failing (the bank is down, Plaid errors) is tried again after half as
# long as it has been failing, within these bounds — not at every dispatch tick, forever.
RETRY_FIRST = timedelta(minutes=15)
RETRY_LONGEST = timedelta(hours=6)


class PlaidItem(models.Model):
    class Status(models.TextChoices):
        OK = "ok"
        LOGIN_REQUIRED = "login_required"
        PENDING_EXPIRATION = "pending_expiration"
        DISCONNECTED = "disconnected"

    business = models.ForeignKey(
        "tenancy.Business", on_delete=models.CASCADE, related_name="plaid_items"
    )
    item_id = models.CharField(max_length=128, unique=True)
    access_token = EncryptedTextField()
    institution_name = models.CharField(max_length=200, blank=True)
    host = models.URLField(help_text="Plaid API host (the local sandbox in development)")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.OK)
    cursor = models.TextField(blank=True)  # saved only after the last page of a sync
    created_at = models.DateTimeField(auto_now_add=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The current run of failed syncs (a login problem is a status instead: it waits for the
    # owner); both cleared by a sync that works.
    failing_since = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.institution_name or self.item_id} ({self.status})"

    def retry_at(self) -> datetime | None:
        """When the sync dispatcher may try a failing item again (None: it is not failing)."""
        if self.failing_since is None or self.failed_at is None:
            return None
        wait = (self.failed_at - self.failing_since) / 2
        return self.failed_at + min(max(wait, RETRY_FIRST), RETRY_LONGEST)
