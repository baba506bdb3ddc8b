"""Celery tasks: the hourly dispatcher (public) and the per-business evaluation (tenant).
Thin: the claim in the database makes a repeat or a redelivery send nothing twice."""

from celery import shared_task
from django.db import connection

from apps.alerts.services import DISPATCH_TASK, EVALUATE_TASK, alerts_dispatch, alerts_evaluate
from apps.core.tasks import BusinessTask, PublicTask


@shared_task(name=DISPATCH_TASK, base=PublicTask)
def alerts_dispatch_task() -> int:
    return alerts_dispatch()


@shared_task(name=EVALUATE_TASK, base=BusinessTask)
def alerts_evaluate_task() -> dict:
    report = alerts_evaluate(connection.tenant)
    return {"claimed": report.claimed, "sent": report.sent, "failed": report.failed,
            "unknown": report.unknown}
