"""Retention of sign-in records (docs/operating.md "Retention"): django-axes' access and
failure logs older than AUTH_LOG_RETENTION, and expired sessions. The audit log keeps its own
`auth.*` entries for good (it is append-only)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def auth_records_cleanup(*, now=None) -> dict[str, int]:
    from axes.models import AccessFailureLog, AccessLog

    now = now or timezone.now()
    cutoff = now - settings.AUTH_LOG_RETENTION
    deleted = {
        "access_logs": AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "failure_logs": AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
    }
    return deleted
