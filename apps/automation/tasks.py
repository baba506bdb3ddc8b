"""Celery: the hourly dispatcher (public) and the per-business tick (thin, idempotent)."""

from celery import shared_task
from django.db import connection
from django.utils import timezone

from apps.automation.dispatch import AUTOMATION_TICK, automation_dispatch
from apps.automation.tick import automation_tick
from apps.core.tasks import BusinessTask, PublicTask


@shared_task(name="automation.dispatch", base=PublicTask)
def automation_dispatch_task() -> list[str]:
    return automation_dispatch(timezone.now())


@shared_task(name=AUTOMATION_TICK, base=BusinessTask, bind=True, max_retries=3)
def automation_tick_task(self, hour: str = "") -> dict:
    """Safe to run twice (each step's key decides); a killed worker's tick is redelivered
    (acks_late) and acts where it stopped."""
    report = automation_tick(connection.tenant)
    return {"hour": hour, "state": report.state, "released": report.released,
            "outcomes": [[o.step.key, o.state] for o in report.outcomes]}
