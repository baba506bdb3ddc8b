"""Outside a transaction block the habit statistics run on a second connection (apps/core/
pending_sql "aside"), in parallel with the other inputs; the result is the same as on Django's
one connection, and inside a transaction block (which a second connection cannot see into)
nothing runs aside."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.core import pending_sql
from apps.runway.cache import runway_invalidate
from apps.runway.services import runway_compute
from tests.runway.test_selectors_queries import AS_OF, grow
from tests.utils import committed_businesses, in_tenant


@pytest.fixture
def committed_business(settings):
    settings.TENANT_SPARE_SCHEMAS = 0
    with committed_businesses("aside-co") as (business,):
        try:
            yield business
        finally:
            pending_sql.aside_close()


def _aside_backend() -> int | None:
    conn = getattr(pending_sql._aside, "conn", None)
    return None if conn is None or conn.closed else conn.info.backend_pid


@pytest.mark.django_db(transaction=True)
def test_habits_read_aside_give_the_same_runway(committed_business, settings):
    with in_tenant(committed_business):
        grow(12)
    pending_sql.aside_close()
    settings.PENDING_SQL_ASIDE = False
    runway_invalidate(committed_business)
    serial = runway_compute(committed_business, as_of=AS_OF)
    assert _aside_backend() is None

    settings.PENDING_SQL_ASIDE = True
    runway_invalidate(committed_business)
    with CaptureQueriesContext(connection) as ctx:
        aside = runway_compute(committed_business, as_of=AS_OF)
    backend = _aside_backend()
    assert backend is not None and backend != connection.connection.info.backend_pid
    assert aside == serial
    assert aside.history.habits  # the statistics read aside were used
    # Logged like any statement: the habit statistics are still one of the three.
    assert sum(not q["sql"].startswith("SET search_path") for q in ctx.captured_queries) == 3

    # The second connection is kept (like Django's) and follows the business it is asked for.
    runway_invalidate(committed_business)
    assert runway_compute(committed_business, as_of=AS_OF) == serial
    assert _aside_backend() == backend


@pytest.mark.django_db(transaction=True)
def test_nothing_runs_aside_inside_a_transaction_block(committed_business, settings):
    settings.PENDING_SQL_ASIDE = True
    pending_sql.aside_close()
    with transaction.atomic():
        with in_tenant(committed_business):
            grow(3)  # uncommitted: a second connection would not see these
        runway_invalidate(committed_business)
        inside = runway_compute(committed_business, as_of=AS_OF)
        assert _aside_backend() is None
        assert inside.history.habits


@pytest.mark.django_db(transaction=True)
def test_an_aside_session_the_server_ended_is_replaced_at_once(committed_business, settings):
    settings.PENDING_SQL_ASIDE = True
    with in_tenant(committed_business):
        grow(5)
    runway_invalidate(committed_business)
    first = runway_compute(committed_business, as_of=AS_OF)
    aside = pending_sql._aside.conn
    pid = aside.info.backend_pid
    with connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # until the backend has gone
            cur.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cur.fetchone() is None:
                break
            time.sleep(0.02)
    assert not aside.closed  # psycopg does not know yet
    runway_invalidate(committed_business)
    assert runway_compute(committed_business, as_of=AS_OF) == first  # the first time
    assert pending_sql._aside.conn.info.backend_pid != pid
