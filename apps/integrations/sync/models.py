"""Connections, sync runs, quarantined records and the outbox of writes to the outside world.

These live in the public schema (keyed by business) so staff can see every business's health in
one place; see docs/scaling.md for how they shard.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from apps.core.crypto import EncryptedTextField
from apps.core.models import RunState


class QboConnection(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected"
        NEEDS_RECONNECT = "needs_reconnect"
        DISCONNECTED = "disconnected"

    business = models.OneToOneField(
        "tenancy.Business", on_delete=models.CASCADE, related_name="qbo_connection"
    )
    realm_id = models.CharField(max_length=32)
    company_name = models.CharField(max_length=200, blank=True)
    api_base = models.URLField(help_text="QBO API base URL (the local sandbox in development)")
    # intuit-oauth environment: "sandbox", "production" or an OpenID discovery URL (local sandbox).
    oauth_environment = models.CharField(max_length=300, blank=True)
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    connected_at = models.DateTimeField(auto_now_add=True)
    # QBO Preferences.CurrencyPrefs, refreshed on every full sync and Preferences webhook.
    home_currency = models.CharField(max_length=3, default="USD")
    multicurrency_enabled = models.BooleanField(default=False)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    # Entity types read in full at least once; a type added later (a new Oodaloo version) is
    # read in full by the next sync instead of only its CDC window. Empty: see qbo_sync.
    synced_entities = models.JSONField(default=list, blank=True)
    # Start of the last successful sync: the next CDC asks for changes since then.
    changes_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Reconnect emails sent before the refresh token dies: {"14": "<expiry it was sent for>"};
    # a reconnect brings a new expiry, so the notices start over by themselves.
    reconnect_notices = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.company_name or self.realm_id} ({self.status})"


class SyncRun(models.Model):
    class Source(models.TextChoices):
        QBO = "qbo", "QuickBooks"
        PLAID = "plaid"

    class Kind(models.TextChoices):
        FULL = "full"
        INCREMENTAL = "incremental"
        WEBHOOK = "webhook"

    State = RunState

    business = models.ForeignKey(
        "tenancy.Business", on_delete=models.CASCADE, related_name="sync_runs"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requests = models.PositiveIntegerField(default=0)
    entities = models.JSONField(default=dict, blank=True)  # {"Bill": 120, ...}
    quarantined = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.business} {self.source} {self.kind} {self.state}"


class QuarantinedRecord(models.Model):
    """A record that could not be mapped: kept with the reason for staff; the sync went on."""

    business = models.ForeignKey(
        "tenancy.Business", on_delete=models.CASCADE, related_name="quarantined"
    )
    source = models.CharField(max_length=8, choices=SyncRun.Source.choices,
                              default=SyncRun.Source.QBO)
    entity = models.CharField(max_length=40)
    external_id = models.CharField(max_length=128, blank=True)
    reason = models.TextField()
    payload = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "source", "entity", "external_id"], name="one_quarantine_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.external_id}: {self.reason[:60]}"


class Action(models.Model):
    """One write to the outside world. The key is unique and is sent as QBO's `requestid`, so
    a retry after a lost response can never create a second payment."""

    class State(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        UNKNOWN = "unknown"

    business = models.ForeignKey(
        "tenancy.Business", on_delete=models.CASCADE, related_name="actions"
    )
    key = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=40)  # e.g. bill_payment.create, invoice.send
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    external_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    drift = models.BooleanField(default=False)
    created_by_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.state}"


# On its way to QBO, or sent with no answer yet: it may still take effect.
IN_FLIGHT = (Action.State.PENDING, Action.State.SENT, Action.State.UNKNOWN)
