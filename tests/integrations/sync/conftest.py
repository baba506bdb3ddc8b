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


@pytest.fixture
def qbo_sandbox(tmp_path):
    """A QBO sandbox with the standard test company (tests/integrations/sync/qbo_company.py)."""
    from tests.integrations.sync.qbo_company import start, write_company

    handle = start(write_company(tmp_path / "co"))
    yield handle
    handle.stop()


@pytest.fixture
def qbo_synced(qbo_sandbox, tenant_a, settings):
    """tenant_a connected to ``qbo_sandbox`` and fully synced (fast retries)."""
    from django.core.management import call_command

    settings.QBO_RETRY_BASE = 0.01
    settings.QBO_RETRY_CAP = 0.05
    call_command("connect_qbo", "alpha", "--sandbox", qbo_sandbox.base_url,
                 stdout=open("/dev/null", "w"))
    tenant_a.refresh_from_db()
    return tenant_a
