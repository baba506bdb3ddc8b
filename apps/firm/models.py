"""The firm digest's record: one row per firm member and ISO week (the unique pair is the
claim, so a member gets at most one Monday email a week however often the dispatcher runs)."""

from django.db import models


class FirmDigestSend(models.Model):
    class State(models.TextChoices):
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"  # refused, or never handed over: the next dispatcher tick tries again
        UNKNOWN = "unknown"  # the provider gave no answer: it may have sent it; never resent
        SKIPPED = "skipped"  # no granted clients

    member = models.ForeignKey("accounts.FirmMember", on_delete=models.CASCADE,
                               related_name="digest_sends")
    week = models.CharField(max_length=8)  # "2026-W10"
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENDING)
    clients = models.PositiveIntegerField(default=0)
    pdf_bytes = models.PositiveIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "week"],
                                               name="one_firm_digest_per_member_week")]

    def __str__(self) -> str:
        return f"{self.member} {self.week} {self.state}"
