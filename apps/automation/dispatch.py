"""Beat's hourly automation dispatch: one `automation.tick` per business with a rule on and
not paused by staff, sent inside its tenant context."""

from __future__ import annotations

from datetime import datetime

from django_tenants.utils import tenant_context

from apps.automation.rules import business_automation_on
from apps.core.enqueue import enqueue
from apps.tenancy.models import Business

AUTOMATION_TICK = "automation.tick"  # the task's name (apps/automation/tasks.py)


def automation_dispatch(now: datetime) -> list[str]:
    hour = now.strftime("%Y-%m-%dT%H")
    keys = []
    for business in Business.objects.real().filter(automation_paused_at__isnull=True
                                                   ).order_by("pk"):
        if not business_automation_on(business):
            continue
        with tenant_context(business):
            enqueue(AUTOMATION_TICK, hour=hour)
        keys.append(f"automation:{business.schema_name}:{hour}")
    return keys
