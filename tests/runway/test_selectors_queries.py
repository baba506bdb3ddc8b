"""The runway reads the books with a fixed number of queries, whatever their size; results are
cached per business until something changes the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.runway import selectors
from apps.runway.cache import runway_invalidate
from apps.runway.services import runway_compute
from tests.runway import books as b
from tests.utils import in_tenant

AS_OF = date(2025, 3, 12)


def grow(n: int) -> None:
    """n of everything: accounts, feed rows, payments, purchases, transfers, invoices, bills."""
    op = b.account(f"op{n}", f"Op {n}", "1000.00")
    sav = b.account(f"sv{n}", f"Sav {n}", "1000.00")
    feed = b.feed_account(f"Feed {n}", "900.00", None, linked=sav)
    b.reserve(f"R{n}", "10.00")
    cust, vend = b.customer(f"c{n}", f"Cust {n}"), b.vendor(f"v{n}", f"Vend {n}")
    for i in range(n):
        day = AS_OF - timedelta(days=1 + i % 80)
        b.bill_payment(op, day, "10.00", vend)
        b.purchase(op, day, "5.00", who="Shop")
        b.transfer(op, sav, day, "1.00")
        b.feed_txn(feed, day, "2.00", "Coffee")
        b.invoice(cust, day, day + timedelta(days=30), "100.00")
        b.paid_invoice(cust, day - timedelta(days=30), day, day)
        b.bill(vend, day, day + timedelta(days=20), "50.00")


def count_queries(tenant) -> int:
    runway_invalidate(tenant)
    with CaptureQueriesContext(connection) as ctx:
        runway_compute(tenant, as_of=AS_OF)
    # django-tenants' one "SET search_path" is not a data query.
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith("SET search_path"))


def test_query_count_does_not_grow_with_data(tenant_a):
    with in_tenant(tenant_a):
        grow(2)
    small = count_queries(tenant_a)
    with in_tenant(tenant_a):
        grow(60)
    large = count_queries(tenant_a)
    assert small == large
    # The accounts with every input not depending on them, the movements of the accounts that
    # feed burn, the habit statistics.
    assert small == 3


def test_results_are_cached_until_invalidated(tenant_a):
    with in_tenant(tenant_a):
        acct = b.account("35", "Operating", "1000.00")
    runway_invalidate(tenant_a)
    first = runway_compute(tenant_a, as_of=AS_OF)
    assert first.cash == b.D("1000.00")
    with CaptureQueriesContext(connection) as ctx:
        again = runway_compute(tenant_a, as_of=AS_OF)
    assert len(ctx.captured_queries) == 0
    # The stored form gives the same result back, less the raw outflow list.
    burn = replace(first.history.burn, outflows=())
    assert again == replace(first, history=replace(first.history, burn=burn))
    with in_tenant(tenant_a):
        acct.current_balance = b.D("2500.00")
        acct.save()
    assert runway_compute(tenant_a, as_of=AS_OF).cash == b.D("1000.00")  # not told yet
    runway_invalidate(tenant_a)
    assert runway_compute(tenant_a, as_of=AS_OF).cash == b.D("2500.00")


def test_businesses_do_not_share_cached_results(tenant_a, tenant_b):
    with in_tenant(tenant_a):
        b.account("35", "Operating", "1000.00")
    with in_tenant(tenant_b):
        b.account("35", "Operating", "3000.00")
    runway_invalidate(tenant_a)
    runway_invalidate(tenant_b)
    assert runway_compute(tenant_a, as_of=AS_OF).cash == b.D("1000.00")
    assert runway_compute(tenant_b, as_of=AS_OF).cash == b.D("3000.00")


def test_selectors_skip_qbo_movements_of_accounts_with_a_feed(tenant_a):
    with in_tenant(tenant_a):
        op = b.account("35", "Operating", "1000.00")
        b.feed_account("Checking", "1000.00", None, linked=op)
        b.purchase(op, AS_OF - timedelta(days=2), "40.00", who="Shop")
        inputs = selectors.runway_inputs(as_of=AS_OF)
    assert [m.source for m in inputs.movements] == []


def test_statements_sent_without_waiting_leave_the_connection_usable(tenant_a):
    from django.db import DataError, transaction

    with in_tenant(tenant_a):
        pending = selectors.PendingStatements(["SELECT 1", "SELECT 2"], {})
        assert pending.rows() == [(1,)]
        pending.close()  # one result left unread: drained
        with pytest.raises(DataError), transaction.atomic():
            failing = selectors.PendingStatements(["SELECT 1", "SELECT 1 / 0", "SELECT 2"], {})
            assert failing.rows() == [(1,)]
            failing.rows()
        with connection.cursor() as cur:
            cur.execute("SELECT %s", [3])
            assert cur.fetchone() == (3,)
        assert selectors.PendingStatements(["SELECT %(n)s::int"], {"n": 4}).rows() == [(4,)]


def test_statements_sent_without_waiting_run_in_the_tenants_schema(tenant_a, tenant_b):
    # django-tenants' search_path leads the batch when the connection needs it (switching
    # businesses); after a failed batch the connection still reads the right schema.
    from django.db import DataError, transaction

    with in_tenant(tenant_a):
        b.account("35", "Operating", "1000.00")
    for tenant, count in ((tenant_a, 1), (tenant_b, 0), (tenant_a, 1)):
        with in_tenant(tenant):
            sql = "SELECT COUNT(*) FROM bank_account"
            assert selectors.PendingStatements([sql], {}).rows() == [(count,)]
    with in_tenant(tenant_b):
        with pytest.raises(DataError), transaction.atomic():
            selectors.PendingStatements(["SELECT 1 / 0"], {}).rows()
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM bank_account")
            assert cur.fetchone() == (0,)
