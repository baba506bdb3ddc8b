"""Reminder sequences, per-customer settings, contacts, the emails sent and their events.

All rows live in the business's schema. Idempotency: `ReminderSend.key` is
`remind:{invoice}:{step}` (unique), and a customer gets at most one scheduled email a day
(`ReminderEmail` unique on customer + day for the tick).
"""

from django.db import models

from apps.core.fields import MoneyField
from apps.integrations.mail.models import TrackedDelivery, TrackingEvent


class Tone(models.TextChoices):
    FRIENDLY = "friendly"
    FIRM = "firm"
    FINAL = "final", "Final notice"


class ReminderSequence(models.Model):
    """A named list of steps. Exactly one is the business-wide default."""

    name = models.CharField(max_length=80, unique=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                    name="one_default_sequence"),
        ]

    def __str__(self) -> str:
        return self.name


class ReminderStep(models.Model):
    """One step: `offset_days` relative to the due date (−3 = three days before)."""

    sequence = models.ForeignKey(ReminderSequence, on_delete=models.CASCADE,
                                 related_name="steps")
    offset_days = models.SmallIntegerField()
    tone = models.CharField(max_length=10, choices=Tone.choices, default=Tone.FRIENDLY)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    cc_owner = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sequence", "offset_days"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "offset_days"], name="one_step_per_day"),
            models.CheckConstraint(condition=models.Q(offset_days__gte=-60, offset_days__lte=365),
                                   name="step_offset_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence}: {self.label}"

    @property
    def label(self) -> str:
        d = self.offset_days
        if d < 0:
            return f"{-d} day{'s' if d != -1 else ''} before due"
        if d == 0:
            return "on the due date"
        return f"{d} day{'s' if d != 1 else ''} after due"


class CustomerReminders(models.Model):
    """A customer's override: the default sequence, another one, paused (held) or never.

    `stopped_reason` is set by the system (a bounce) and cleared when the owner fixes the
    contacts; while set, the customer gets no reminders."""

    class Mode(models.TextChoices):
        DEFAULT = "default", "Default sequence"
        CUSTOM = "custom", "Another sequence"
        PAUSED = "paused", "Paused (held)"
        NEVER = "never", "Never remind"

    customer = models.OneToOneField("ar.Customer", on_delete=models.CASCADE,
                                    related_name="reminders")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.DEFAULT)
    sequence = models.ForeignKey(ReminderSequence, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    held_by_email = models.CharField(max_length=254, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    # While paused: the mode a release goes back to (`sequence` is kept through the hold).
    mode_before_hold = models.CharField(max_length=8, choices=Mode.choices, blank=True)
    stopped_reason = models.CharField(max_length=200, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # Billing emails were edited by the owner: sync no longer adds QuickBooks' addresses.
    contacts_edited = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.customer_id} {self.mode}"


class ReminderContact(models.Model):
    """A billing email of a customer (from QuickBooks' PrimaryEmailAddr, or added by the owner)."""

    class Source(models.TextChoices):
        QBO = "qbo", "QuickBooks"
        OWNER = "owner", "Added by you"

    customer = models.ForeignKey("ar.Customer", on_delete=models.CASCADE,
                                 related_name="reminder_contacts")
    email = models.EmailField()
    source = models.CharField(max_length=5, choices=Source.choices, default=Source.QBO)
    active = models.BooleanField(default=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=300, blank=True)
    # The owner saved this address again after it bounced: a bounce of mail handed over before
    # then is old news and stops nothing.
    reinstated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["customer", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "email"], name="one_contact_per_email")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def deliverable(self) -> bool:
        return self.active and self.unsubscribed_at is None and self.bounced_at is None


class ReminderEmail(models.Model):
    """One message to one customer on one day (all its invoices due for a step), and its copy
    as sent (subject, text, html) so history and preview show exactly that email."""

    class State(models.TextChoices):
        PENDING = "pending"  # claimed, nothing handed to the provider yet
        SENDING = "sending"
        SENT = "sent"
        PARTIAL = "partial"
        FAILED = "failed"
        UNKNOWN = "unknown"  # a worker died mid-send: not resent automatically
        CANCELLED = "cancelled"  # every invoice was paid/credited/disputed before sending

    customer = models.ForeignKey("ar.Customer", on_delete=models.CASCADE,
                                 related_name="reminder_emails")
    day = models.DateField(db_index=True)
    manual = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by_email = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    total = MoneyField(default=0)
    currency = models.CharField(max_length=3, default="USD")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Times the email was handed to the provider, and the last: a refused (`failed`) email is
    # retried after a wait, a few times (apps/ar/reminders/retry.py).
    attempts = models.PositiveSmallIntegerField(default=0)
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "day"], condition=models.Q(manual=False),
                                    name="one_scheduled_reminder_per_customer_day"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.day} {self.state}"


class ReminderSend(models.Model):
    """One invoice × step in an email. The unique key is the at-most-once rule."""

    class State(models.TextChoices):
        INCLUDED = "included"
        SKIPPED = "skipped"  # paid, credited or disputed between planning and sending

    key = models.CharField(max_length=80, unique=True)  # remind:{invoice}:{step}
    email = models.ForeignKey(ReminderEmail, on_delete=models.CASCADE, related_name="sends")
    invoice = models.ForeignKey("ar.Invoice", on_delete=models.CASCADE,
                                related_name="reminder_sends")
    step = models.ForeignKey(ReminderStep, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    step_offset = models.SmallIntegerField()  # the step's offset when sent
    scheduled_offset = models.SmallIntegerField()  # after the habit shift
    tone = models.CharField(max_length=10, choices=Tone.choices)
    balance = MoneyField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.INCLUDED)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key


class ReminderDelivery(TrackedDelivery):
    """One recipient (contact) of one email (state, send_id, provider id: TrackedDelivery)."""

    email = models.ForeignKey(ReminderEmail, on_delete=models.CASCADE,
                              related_name="deliveries")
    contact = models.ForeignKey(ReminderContact, null=True, on_delete=models.SET_NULL,
                                related_name="deliveries")
    to = models.EmailField()

    recipient_field = "to"

    class Meta(TrackedDelivery.Meta):
        constraints = [
            models.UniqueConstraint(fields=["email", "to"], name="one_reminder_per_recipient")
        ]


class ReminderEvent(TrackingEvent):
    """A verified tracking event for a reminder delivery."""

    delivery = models.ForeignKey(ReminderDelivery, on_delete=models.CASCADE,
                                 related_name="events")

    class Meta(TrackingEvent.Meta):
        pass


class ReminderTick(models.Model):
    """The daily tick of one local day: the dispatcher skips a day whose tick finished — its
    plan ran and no email of its retry window was left open (apps/ar/reminders/retry.py)."""

    day = models.DateField(unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    emails = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {'done' if self.finished_at else 'running'}"


class CollectionsSettings(models.Model):
    """Business-wide collections settings (one row)."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True)
    # Off until the owner turns reminders on: we never email a business's customers unasked.
    enabled = models.BooleanField(default=False)
    pay_link = models.URLField(blank=True)  # e.g. the business's payment page
    attach_pdfs = models.BooleanField(default=True)
    # The automation's reminders rule sends (through its guardrails, apps/automation); the
    # collections dispatcher then leaves this business to it.
    automated = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "collections settings"
