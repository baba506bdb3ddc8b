"""Sync tests: tasks are published to an in-memory broker (never the shared Redis queue), and
``published`` records what was sent, with the tenant schema tenant-schemas-celery attached;
``sb`` / ``synced``: the sandbox company of qbo_company.py, and tenant_a synced with it."""

import pytest
from celery.signals import before_task_publish
from django.core.management import call_command

from tests.integrations.sync.qbo_company import start, write_company


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


@pytest.fixture
def fast_retry(settings):
    settings.QBO_RETRY_BASE = 0.01
    settings.QBO_RETRY_CAP = 0.05


@pytest.fixture
def sb(tmp_path):
    """The sandbox serving the small company of qbo_company.py (modules may define their own)."""
    handle = start(write_company(tmp_path / "co"))
    yield handle
    handle.stop()


@pytest.fixture
def synced(sb, tenant_a, fast_retry):
    """tenant_a connected to ``sb`` and fully synced."""
    call_command("connect_qbo", "alpha", "--sandbox", sb.base_url, stdout=open("/dev/null", "w"))
    tenant_a.refresh_from_db()
    return tenant_a
