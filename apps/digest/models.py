"""Digest runs (one per business and ISO week), per-recipient deliveries and tracking events.

All three live in the business's schema. Staff see each business's latest digest through its
public summary row (apps/tenancy/summary.py, apps/digest/staff.py), never a query over schemas.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F

from apps.integrations.mail.models import DeliveryState, TrackedDelivery, TrackingEvent


class DigestRunQuerySet(models.QuerySet):
    def as_sent(self, week: str):
        """The week's runs with content, the scheduled run first, then resends newest first.
        Postgres sorts NULLs last, so a plain ascending `resend_of_id` would put resends first."""
        return self.filter(week=week, content__isnull=False).order_by(
            F("resend_of_id").asc(nulls_first=True), "-created_at")


class DigestRun(models.Model):
    """One digest for one week. `key` is the idempotency key `digest:{schema}:{YYYY-Www}`
    (a resend gets `…:resend:{n}`); the unique constraint is the claim."""

    class State(models.TextChoices):
        BUILDING = "building"  # claimed by a worker under a lease; nothing handed to the provider
        SENDING = "sending"  # at least one recipient handed (or about to be) to the provider
        SENT = "sent"  # every recipient accepted by the provider
        PARTIAL = "partial"  # some recipients sent, others failed or unknown
        UNKNOWN = "unknown"  # a worker died mid-send: not retried automatically (never twice)
        FAILED = "failed"  # nothing sent; the next attempt may retry
        SKIPPED = "skipped"  # no recipients / digest disabled

    key = models.CharField(max_length=160, unique=True)
    week = models.CharField(max_length=8, db_index=True)  # "2026-W10"
    state = models.CharField(max_length=12, choices=State.choices, default=State.BUILDING)
    late = models.BooleanField(default=False)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )
    requested_by_email = models.CharField(max_length=254, blank=True)  # empty = the schedule
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    render_ms = models.PositiveIntegerField(null=True, blank=True)
    send_ms = models.PositiveIntegerField(null=True, blank=True)
    pdf_bytes = models.PositiveIntegerField(null=True, blank=True)
    pdf_pages = models.PositiveSmallIntegerField(null=True, blank=True)
    stale = models.BooleanField(default=False)
    sync_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    # Why the PDF could not be made (the email went without it); empty when it was attached.
    pdf_error = models.TextField(blank=True)
    # The content as sent (JSON), so "view in browser" and history show exactly that digest.
    content = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = DigestRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} {self.state}"

    @property
    def is_final(self) -> bool:
        return self.state in {self.State.SENT, self.State.PARTIAL, self.State.SKIPPED}


class DigestDelivery(TrackedDelivery):
    """One recipient of one run (state, send_id, provider id, tracking: TrackedDelivery)."""

    # Never handed over: the address was no longer a recipient when a retry came to send it.
    CANCELLED = "cancelled"

    state = models.CharField(max_length=10, default=DeliveryState.PENDING,
                             choices=[*DeliveryState.choices, (CANCELLED, "Cancelled")])
    run = models.ForeignKey(DigestRun, on_delete=models.CASCADE, related_name="deliveries")
    user_id = models.BigIntegerField(null=True, blank=True)
    email = models.EmailField()

    class Meta(TrackedDelivery.Meta):
        constraints = [
            models.UniqueConstraint(fields=["run", "email"], name="one_delivery_per_recipient")
        ]


class DigestEvent(TrackingEvent):
    """A tracking event from the provider's verified webhook (append-only, deduplicated)."""

    delivery = models.ForeignKey(
        DigestDelivery, on_delete=models.CASCADE, related_name="events"
    )
    click_url = models.TextField(blank=True)

    class Meta(TrackingEvent.Meta):
        pass
