"""The Prep Tray: the owner's weekly list of decisions, one item per cause."""

from django.db import models

from apps.core.fields import MoneyField
from apps.core.tray_causes import kind_choices


class TrayItemQuerySet(models.QuerySet):
    def visible(self, as_of):
        """Open items plus snoozed ones whose snooze has ended, best first."""
        return self.filter(
            models.Q(status=TrayItem.Status.OPEN)
            | models.Q(status=TrayItem.Status.SNOOZED, snoozed_until__lte=as_of)
        ).order_by("tier", "-score", "due_date", "id")


class TrayItem(models.Model):
    """One thing the owner should decide. `key` names its cause (e.g. `bill:42:pay`), so
    regeneration updates the same row instead of adding a second one."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        SNOOZED = "snoozed", "Snoozed"
        DISMISSED = "dismissed", "Dismissed"
        CLOSED = "closed", "Closed"  # the cause went away (e.g. the bill was paid in QBO)

    key = models.CharField(max_length=120, unique=True)
    # The domains declare their kinds beside their cause sources (apps/core/tray_causes.py).
    kind = models.CharField(max_length=20, choices=kind_choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=200)
    detail = models.CharField(max_length=300, blank=True)
    amount = MoneyField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    impact_days = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    impact_sentence = models.CharField(max_length=400, blank=True)
    target_type = models.CharField(max_length=20, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # Ranking: lower tier first, then higher score (see docs/portal.md).
    tier = models.PositiveSmallIntegerField(default=5)
    score = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    snoozed_until = models.DateField(null=True, blank=True)
    decided_by_email = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrayItemQuerySet.as_manager()

    class Meta:
        ordering = ["tier", "-score", "due_date", "id"]
        indexes = [models.Index(fields=["status", "tier", "score"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

    @property
    def is_decided(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.DISMISSED, self.Status.SNOOZED}
