"""What the runway stores: weekly forecast snapshots (for accuracy) and the owner's word on
detected recurring payments. Everything else is computed from the books on demand."""

from django.db import models

from apps.core.constraints import null_or_check
from apps.core.fields import MoneyField


class ForecastSnapshot(models.Model):
    """One stored 13-week forecast per local week (the first one made that week wins).

    `weeks` is `[{"week_start": "YYYY-MM-DD", "closing": "123.45"}, ...]` — predicted closing
    available cash per week. `available` at `as_of` doubles as the *actual* closing of the week
    before, which is how accuracy is measured later without storing balance history.
    """

    as_of = models.DateField()
    week_start = models.DateField(unique=True)  # Monday of as_of's week
    cash = MoneyField()
    reserved = MoneyField()
    available = MoneyField()
    daily_burn = MoneyField()
    weeks = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["week_start"]

    def __str__(self) -> str:
        return f"Forecast of {self.as_of}"


class RecurringSeriesOverride(models.Model):
    """The owner confirms, edits or dismisses a detected recurring payment (by its series key,
    e.g. `vendor:42` or `name:gusto payroll`), or adds one the history does not show."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed"
        DISMISSED = "dismissed"

    class Cadence(models.TextChoices):
        WEEKLY = "weekly"
        BIWEEKLY = "biweekly", "Every two weeks"
        SEMIMONTHLY = "semimonthly", "Twice a month"
        MONTHLY = "monthly"
        QUARTERLY = "quarterly"

    key = models.CharField(max_length=240, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    name = models.CharField(max_length=200, blank=True)
    cadence = models.CharField(max_length=16, choices=Cadence.choices, blank=True)
    amount = MoneyField(null=True, blank=True)
    next_date = models.DateField(null=True, blank=True)
    edited_by_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [null_or_check("amount", "gt", name="series_override_amount_positive")]

    def __str__(self) -> str:
        return f"{self.key}: {self.status}"
