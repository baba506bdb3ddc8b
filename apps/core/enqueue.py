"""Starting background work from a service: send the task by name, in one place.

A task is a thin caller of its service, so tasks import services; a service that starts a task
must therefore not import the task module back (that is an import cycle, and the "no cycles"
contract in pyproject.toml forbids it). It names the task instead, with a constant its service
module owns and the task's decorator uses.

Equivalent to ``task.delay(*args, **kwargs)``: the tenant-aware Celery app adds the current
business's schema to the headers, ``CELERY_TASK_ROUTES`` routes by name, and the worker applies
the task's own time limits and retry settings.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from celery.result import AsyncResult

log = logging.getLogger(__name__)


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> AsyncResult:
    return current_app.send_task(task_name, args=args, kwargs=kwargs)


# A task a lower layer starts by name for a higher one (the sanctioned upward call): the owner
# alerts' per-business evaluation (apps/alerts/tasks.py uses this name).
ALERTS_EVALUATE = "alerts.evaluate"


def enqueue_for(business: Any, task_name: str, *args: Any, **kwargs: Any) -> None:
    """Send `task_name` in `business`'s schema once the current transaction commits (at once
    outside one). Never raises: a broker hiccup must not fail the caller's own work — the
    callers use it for follow-ups that a periodic task also covers (alerts: hourly)."""
    from django.db import transaction
    from django_tenants.utils import tenant_context

    def send() -> None:
        try:
            with tenant_context(business):
                enqueue(task_name, *args, **kwargs)
        except Exception:  # noqa: BLE001 — logged; the periodic task catches up
            log.warning("could not enqueue %s for %s", task_name,
                        getattr(business, "schema_name", business), exc_info=True)

    transaction.on_commit(send)
