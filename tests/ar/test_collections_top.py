"""collections_top: the head of the collections ranking from SQL equals ranking everything."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ar.models import Invoice
from apps.ar.services import collections_priority, collections_top
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _ranking(ranked):
    return [(p.invoice.pk, p.score, p.days_overdue, p.factor) for p in ranked]


def test_top_equals_the_full_ranking_with_habits_and_ties(tenant_a):
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        customers = [f.customer(f"C{i}") for i in range(7)]
        late = {
            customers[0].qbo_id: Decimal("45.0"),  # factor 2.5
            customers[1].qbo_id: Decimal("300"),  # capped at 4
            customers[2].qbo_id: Decimal("-3"),  # pays early: 1
            customers[3].qbo_id: Decimal("7.3"),  # 1.2433…: rounding matters
        }
        for i in range(90):
            c = customers[i % 7]
            # Many equal scores (same amount and days) so ties at the cut are common.
            f.invoice(c, f"{100 + (i % 5) * 50}.00", today - timedelta(days=i % 9 + 1))
        f.invoice(customers[4], "999.00", today + timedelta(days=3))  # not overdue yet
        f.invoice(customers[5], "500.00", today - timedelta(days=4), balance="0")  # paid
        overdue = Invoice.objects.overdue(today)
        full = collections_priority(overdue, as_of=today, days_late_by_customer=late)
        for limit in (1, 10, 25, 50, 200):
            top = collections_top(overdue, as_of=today, days_late_by_customer=late, limit=limit)
            assert _ranking(top) == _ranking(full[:limit])


def test_top_reads_a_bounded_head_in_two_queries(tenant_a):
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        c = f.customer("Big")
        for i in range(120):
            f.invoice(c, f"{1000 + i}.00", today - timedelta(days=30))  # distinct scores
        with CaptureQueriesContext(connection) as ctx:
            top = collections_top(
                Invoice.objects.overdue(today), as_of=today, days_late_by_customer={}, limit=5
            )
        assert len(ctx.captured_queries) == 2
        assert [p.invoice.home_balance for p in top] == [
            Decimal(f"{1119 - i}.00") for i in range(5)
        ]
