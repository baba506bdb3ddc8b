"""The staff back office's own rows: support "view as owner" sessions, and the permissions the
staff roles are made of (docs/operating.md, "Staff roles")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SupportSession(models.Model):
    """A time-boxed, read-only look at one business's portal as its owner sees it."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    business = models.ForeignKey("tenancy.Business", on_delete=models.CASCADE,
                                 related_name="support_sessions")
    reason = models.CharField(max_length=200)
    started_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        permissions = [
            ("operate", "Can run staff actions (sync, retry, resend, unlock, reassign)"),
            ("view_as", "Can view a business's portal as its owner (read-only)"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} as owner of {self.business_id} until {self.expires_at:%H:%M}"

    @property
    def active(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()
