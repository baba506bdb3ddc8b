"""The cross-business bill document review queue (public schema).

One row per document waiting for (or decided by) staff. The document itself lives in its
business's schema; the row keeps a snapshot for the queue list (no cross-schema joins).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.fields import MoneyField

CLAIM_TTL = timedelta(minutes=30)  # an abandoned claim can be taken over after this


class ReviewTaskQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(state__in=[ReviewTask.State.OPEN, ReviewTask.State.CLAIMED])


class ReviewTask(models.Model):
    class State(models.TextChoices):
        OPEN = "open"
        CLAIMED = "claimed"
        APPROVED = "approved"
        REJECTED = "rejected"

    business = models.ForeignKey("tenancy.Business", on_delete=models.CASCADE,
                                 related_name="review_tasks")
    document_id = models.BigIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN,
                             db_index=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    confidence = models.FloatField(default=0)
    document_state = models.CharField(max_length=16, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    vendor_name = models.CharField(max_length=200, blank=True)
    total = MoneyField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    notes = models.JSONField(default=list, blank=True)

    objects = ReviewTaskQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]  # oldest first: the queue is worked in order
        constraints = [
            models.UniqueConstraint(fields=["business", "document_id"],
                                    name="one_review_task_per_document"),
        ]

    def __str__(self) -> str:
        return f"{self.business} document #{self.document_id} ({self.state})"

    @property
    def age(self) -> timedelta:
        return timezone.now() - self.created_at

    def claim_is_live(self, now=None) -> bool:
        return (self.state == self.State.CLAIMED and self.claimed_at is not None
                and (now or timezone.now()) - self.claimed_at < CLAIM_TTL)

    def can_claim(self, user, now=None) -> bool:
        if self.state not in (self.State.OPEN, self.State.CLAIMED):
            return False
        return not self.claim_is_live(now) or self.assignee_id == user.pk

    def can_decide(self, user, now=None) -> bool:
        return self.claim_is_live(now) and self.assignee_id == user.pk
