"""Celery tasks: the reminders dispatcher (public, hourly) and the per-business daily tick."""

from datetime import date

from celery import shared_task
from django.db import connection

from apps.collections.services import REMINDERS_TICK, reminders_dispatch, reminders_run
from apps.core.tasks import BusinessTask, PublicTask


@shared_task(name="reminders.dispatch", base=PublicTask)
def reminders_dispatch_task() -> list[str]:
    return reminders_dispatch()


@shared_task(name=REMINDERS_TICK, base=BusinessTask, bind=True, max_retries=3)
def reminders_tick_task(self, day: str) -> dict:
    """Safe to run twice (the keys decide); a killed worker's tick is redelivered (acks_late)."""
    report = reminders_run(connection.tenant, date.fromisoformat(day))
    return {"key": report.key, "state": report.state, "sent": report.sent}
