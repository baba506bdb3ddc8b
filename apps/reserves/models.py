"""Runway reserves: cash earmarked for payroll, taxes and the like."""

from django.db import models

from apps.core.fields import MoneyField


class Reserve(models.Model):
    class Kind(models.TextChoices):
        PAYROLL = "payroll", "Payroll"
        TAXES = "taxes", "Taxes"
        CUSTOM = "custom", "Custom"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CUSTOM)
    target = MoneyField(default=0)
    held = MoneyField(default=0)
    due_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(held__gte=0), name="reserve_held_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(target__gte=0), name="reserve_target_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shortfall(self):
        return max(self.target - self.held, 0)


class ReserveEntry(models.Model):
    """Append-only ledger of fund/release movements."""

    reserve = models.ForeignKey(Reserve, on_delete=models.CASCADE, related_name="entries")
    created_at = models.DateTimeField(auto_now_add=True)
    amount = MoneyField()  # positive = funded, negative = released
    actor_email = models.CharField(max_length=254, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # The portal form's one-time token: a second submit of the same form finds this entry
    # instead of moving the money again (NULL for moves made without a form).
    form_token = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reserve}: {self.amount}"
