"""Automation rules (per business, tenant schema) and what each one did or held back."""

from django.db import models

from apps.core.fields import MoneyField


class Rule(models.Model):
    """One rule of a business. The owner switches it on; a bookkeeper may propose it (with its
    settings), which the owner then approves. `params` holds the kind's own settings."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "Auto-approve bills from known vendors"
        SCHEDULE = "schedule", "Schedule approved bills before they are due"
        RECORD = "record", "Record scheduled payments in QuickBooks on their date"
        REMIND = "remind", "Send reminder steps"
        RESERVE = "reserve", "Fund a reserve from customer payments"

    class State(models.TextChoices):
        OFF = "off"
        PROPOSED = "proposed"
        ON = "on"

    kind = models.CharField(max_length=16, choices=Kind.choices, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OFF)
    params = models.JSONField(default=dict, blank=True)
    # Guardrails: never act when runway after the action would fall below `floor_days`, the
    # 13-week low point below `floor_amount`, or the last sync is older than `stale_hours`.
    floor_days = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    floor_amount = MoneyField(null=True, blank=True)
    stale_hours = models.PositiveIntegerField(default=26)
    proposed_by_email = models.CharField(max_length=254, blank=True)
    switched_on_by_email = models.CharField(max_length=254, blank=True)
    switched_on_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.state})"

    @property
    def name(self) -> str:
        return self.get_kind_display()


class RuleAction(models.Model):
    """One thing a rule did (or held back) to one object. `key` is the idempotency key — one
    row per rule, object and occasion (`approve:bill:42:500.00`, `record:bill:42:2026-12-05`),
    so a second tick, a redelivered task or two workers act at most once."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting (undo window)"  # a payment not yet in the outbox
        DONE = "done"
        HELD = "held", "Held back"
        UNDONE = "undone"
        FAILED = "failed"

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Rule.Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices)
    target_type = models.CharField(max_length=20, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    amount = MoneyField(null=True, blank=True)
    summary = models.CharField(max_length=300)
    reason = models.CharField(max_length=40, blank=True)  # a guardrail code when held
    reason_text = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    action_key = models.CharField(max_length=64, blank=True)  # the outbox key of a payment
    undo_until = models.DateTimeField(null=True, blank=True)
    undone_by_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "kind"]),
                   models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.key} {self.state}"
