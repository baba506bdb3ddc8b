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

from typing import Any

from celery import current_app
from celery.result import AsyncResult


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> AsyncResult:
    return current_app.send_task(task_name, args=args, kwargs=kwargs)
