"""Celery publishes to the broker the settings name.

Celery prefers the CELERY_BROKER_URL environment variable to Django's setting, so a variable that
disagrees with `settings.CELERY_BROKER_URL` (as the embedded launcher's `.data/env` once exported)
sends a test's tasks to another process's queue — the demo's worker.
"""

from django.conf import settings
from kombu import Connection

from oodaloo.celery import app as celery_app


def _where(conn: Connection) -> tuple:
    # For redis+socket kombu keeps the query (`?virtual_host=1`) in the host name; as_uri drops it.
    return conn.transport_cls, conn.hostname, conn.port, conn.virtual_host


def test_the_app_publishes_to_the_configured_broker():
    with celery_app.connection_for_write() as conn:
        assert _where(conn) == _where(Connection(settings.CELERY_BROKER_URL))


def test_memory_broker_fixture_takes_effect(memory_broker):
    with celery_app.connection_for_write() as conn:
        assert conn.transport_cls == "memory"
