"""Abstract delivery and tracking-event rows shared by every kind of email we send (the digest,
collections reminders). No tables here: each concrete model lives in its own app's schema."""

from django.db import models


class DeliveryState(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"  # committed before the provider call (mail_deliver_recorded)
    SENT = "sent"
    FAILED = "failed"  # the provider refused: nothing went, may be retried
    UNKNOWN = "unknown"  # a worker died mid-send: never handed over again automatically


class TrackedDelivery(models.Model):
    """One recipient of one email. `send_id` is ours, committed before the provider call and
    carried in the message metadata and Message-ID; `message_id` is the provider's."""

    State = DeliveryState
    recipient_field = "email"  # the concrete model's field holding the recipient's address

    state = models.CharField(max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    send_id = models.CharField(max_length=64, unique=True)
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The latest tracking status (delivered/opened/clicked/bounced...), the strongest seen.
    last_event = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{getattr(self, self.recipient_field)} {self.state}"


class TrackingEvent(models.Model):
    """A tracking event from the provider's verified webhook (append-only, deduplicated).
    Concrete models add `delivery = ForeignKey(<their delivery>, related_name="events")`."""

    event_type = models.CharField(max_length=16, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    esp = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    recipient = models.CharField(max_length=254, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.recipient}"
