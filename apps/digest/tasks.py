"""Celery tasks: the beat dispatcher (public) and the per-business send (tenant)."""

from datetime import datetime

from celery import shared_task
from django.db import connection

from apps.core.tasks import BusinessTask, PublicTask
from apps.digest.services import DIGEST_SEND, digest_dispatch, digest_send


@shared_task(name="digest.dispatch", base=PublicTask)
def digest_dispatch_task() -> list[str]:
    return digest_dispatch()


@shared_task(name=DIGEST_SEND, base=BusinessTask, bind=True, max_retries=3)
def digest_send_task(self, week: str, late: bool = False, scheduled_for: str | None = None) -> dict:
    """Safe to run twice (the key decides); a crash is retried by acks_late redelivery."""
    at = datetime.fromisoformat(scheduled_for) if scheduled_for else None
    report = digest_send(connection.tenant, week, late=late, scheduled_for=at)
    return {"key": report.key, "state": report.state, "sent": report.sent,
            "detail": report.detail}
