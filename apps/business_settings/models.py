"""Per-business settings the owner chooses (one row per business schema).

Moved from ``portal.BusinessSettings``: the table keeps its name (``portal_businesssettings``)."""

from datetime import time
from decimal import Decimal

from django.db import models

from apps.core.fields import MoneyField


class BusinessSettings(models.Model):
    """Approval limit, digest schedule and recipients, onboarding progress.

    There is exactly one row per schema (`singleton` is unique and always 1); read it with
    `apps.business_settings.selectors.settings_get()`.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    # Bookkeepers may approve bills up to this amount; above it only an owner. 0 = owners only.
    approval_limit = MoneyField(default=Decimal("0"))
    digest_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY
    )
    digest_time = models.TimeField(default=time(9, 0))
    digest_enabled = models.BooleanField(default=True)
    # Extra addresses (beyond members who receive it); members are chosen on Membership.
    digest_extra_recipients = models.JSONField(default=list, blank=True)
    digest_confirmed_at = models.DateTimeField(null=True, blank=True)
    reserves_confirmed_at = models.DateTimeField(null=True, blank=True)
    onboarding_done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "portal_businesssettings"
        verbose_name_plural = "business settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approval_limit__gte=0), name="approval_limit_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(singleton=1), name="settings_singleton"),
        ]

    def __str__(self) -> str:
        return "Business settings"
