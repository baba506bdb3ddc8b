"""Sync tests: tasks are published to an in-memory broker (never the shared Redis queue), and
``published`` records what was sent, with the tenant schema tenant-schemas-celery attached."""

import pytest
from celery.signals import before_task_publish


@pytest.fixture(autouse=True, scope="module")
def _memory_broker(memory_broker):
    yield


@pytest.fixture
def published():
    sent: list[dict] = []

    def record(sender=None, body=None, headers=None, **_kw):
        args, kwargs = (body[0], body[1]) if isinstance(body, (list, tuple)) else ((), {})
        sent.append({"task": sender, "args": args, "kwargs": kwargs,
                     "schema": (headers or {}).get("_schema_name")})

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)
