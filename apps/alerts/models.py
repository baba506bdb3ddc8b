"""Alerts of one business (its schema): the owner's preferences, each alert sent (one per kind
per local day — the unique constraint is the claim) and its deliveries (email, webhook)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from apps.core.crypto import EncryptedTextField
from apps.integrations.mail.models import TrackedDelivery


class Kind(models.TextChoices):
    RUNWAY_LOW = "runway_low", "Runway falls below my threshold"
    CASH_ZERO = "cash_zero", "A week in the forecast runs out of cash"
    PAYMENT_PROBLEM = "payment_problem", "A payment failed or disagrees with QuickBooks"
    SYNC_FAILING = "sync_failing", "QuickBooks sync keeps failing"
    QBO_RECONNECT = "qbo_reconnect", "QuickBooks needs reconnecting soon (14 and 3 days before)"
    BANK_REPAIR = "bank_repair", "A bank login needs repair"


class AlertSettings(models.Model):
    """The owner's choices (one row). Every kind is on until the owner turns it off."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True)
    disabled_kinds = models.JSONField(default=list, blank=True)
    runway_days_threshold = models.PositiveIntegerField(default=30)
    sync_failing_hours = models.PositiveIntegerField(default=24)
    email_enabled = models.BooleanField(default=True)  # to every owner
    # A Slack-compatible incoming webhook. The URL is the credential: stored encrypted.
    webhook_url = EncryptedTextField(blank=True, null=True)  # the field reads "" back as None
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"alert settings (off: {', '.join(self.disabled_kinds or []) or 'none'})"

    def kind_enabled(self, kind: str) -> bool:
        return kind not in (self.disabled_kinds or [])


class Alert(models.Model):
    kind = models.CharField(max_length=24, choices=Kind.choices)
    day = models.DateField()  # the business's local date
    title = models.CharField(max_length=200)
    text = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    # What it was about (runway days, action ids, item ids...), for history and de-duplication.
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "day"], name="one_alert_per_kind_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"


class AlertDelivery(TrackedDelivery):
    """One channel of one alert: an owner's email or the webhook. `state` moves pending →
    sending (committed before the provider call) → sent | failed | unknown, never back."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        WEBHOOK = "webhook"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254)  # an email address, or the webhook's host
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient} {self.state}"
