"""Weekly forecast snapshots: an hourly beat dispatcher enqueues one task per business during its
local Monday; the task stores at most one snapshot per local week (retries and repeats no-op)."""

from __future__ import annotations

from celery import shared_task
from django.db import connection
from django_tenants.utils import tenant_context

from apps.core.dates import local_now, local_today, week_start
from apps.core.tasks import BusinessTask, PublicTask
from apps.runway.models import ForecastSnapshot
from apps.runway.services import forecast_snapshot_store, runway_compute
from apps.tenancy.models import Business


@shared_task(name="runway.snapshot", base=BusinessTask)
def runway_snapshot_task() -> str:
    """Store this week's forecast of the current business unless it is already stored."""
    business = connection.tenant
    monday = week_start(local_today(business.timezone))
    if ForecastSnapshot.objects.filter(week_start=monday).exists():
        return f"already stored for {monday.isoformat()}"
    row = forecast_snapshot_store(business, runway_compute(business))
    return f"stored for {row.week_start.isoformat()}"


@shared_task(name="runway.snapshot_dispatch", base=PublicTask)
def runway_snapshot_dispatch_task() -> int:
    """Enqueue a snapshot for every business whose local day is Monday."""
    count = 0
    for business in Business.objects.real().iterator():
        if local_now(business.timezone).weekday() != 0:
            continue
        with tenant_context(business):
            runway_snapshot_task.delay()
        count += 1
    return count
