"""Collections: priority ranking and "expect on" dates (reminders: tests/collections)."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from apps.accounts.models import Role
from apps.ar.models import Invoice
from apps.ar.services import (
    InvoiceError,
    collections_priority,
    habit_factor,
    invoice_expect_on,
)
from apps.core.errors import PermissionDenied
from apps.runway.services import runway_compute
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import in_tenant


def _inv(pk, balance, due, customer):
    return SimpleNamespace(
        pk=pk,
        balance=Decimal(balance),
        home_balance=Decimal(balance),
        due_date=due,
        txn_date=due,
        customer_qbo_id=customer,
    )


def test_priority_is_balance_times_days_overdue_times_habit():
    from datetime import date

    today = date(2025, 3, 12)
    rows = [
        _inv(1, "1000", today - timedelta(days=10), "punctual"),  # 10,000 × 1
        _inv(2, "1000", today - timedelta(days=10), "late"),  # 10,000 × (1 + 45/30) = 25,000
        _inv(3, "3000", today - timedelta(days=5), "unknown"),  # 15,000 × 1
        _inv(4, "9999", today, "late"),  # due today: not overdue
        _inv(5, "100", today - timedelta(days=10), "chronic"),  # 1,000 × 4 (capped)
    ]
    late = {"punctual": Decimal("-2.0"), "late": Decimal("45.0"), "chronic": Decimal("300")}
    ranked = collections_priority(rows, as_of=today, days_late_by_customer=late)
    assert [p.invoice.pk for p in ranked] == [2, 3, 1, 5]
    assert ranked[0].score == Decimal("25000.00") and ranked[0].days_overdue == 10
    assert ranked[-1].factor == Decimal(4)
    assert habit_factor(None) == 1 and habit_factor(Decimal("-5")) == 1


pytestmark_db = pytest.mark.django_db


@pytest.fixture
def inv(tenant_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        c = f.customer()
        yield SimpleNamespace(
            today=today,
            open=f.invoice(c, "3000.00", today - timedelta(days=20)),
            other=f.invoice(c, "500.00", today - timedelta(days=2)),
            paid=f.invoice(c, "700.00", today - timedelta(days=2), balance="0"),
            bookkeeper=make_member(tenant_a, Role.BOOKKEEPER),
            viewer=make_member(tenant_a, Role.VIEWER),
        )


@pytestmark_db
def test_expect_on_feeds_the_forecast_and_refuses_the_past(
    tenant_a, inv, django_capture_on_commit_callbacks
):
    with in_tenant(tenant_a):
        with pytest.raises(InvoiceError, match="past"):
            invoice_expect_on(
                actor=inv.bookkeeper, invoice=inv.open, on=inv.today - timedelta(days=1)
            )
        assert Invoice.objects.get(pk=inv.open.pk).expected_date is None
        on = inv.today + timedelta(days=30)
        runway_compute(tenant_a)  # warm the cache: the service must invalidate it
        with django_capture_on_commit_callbacks(execute=True):
            invoice_expect_on(actor=inv.bookkeeper, invoice=inv.open, on=on)
        assert runway_compute(tenant_a).forecast.invoice_dates[str(inv.open.pk)] == on
        with django_capture_on_commit_callbacks(execute=True):
            invoice_expect_on(actor=inv.bookkeeper, invoice=inv.open, on=None)
        assert runway_compute(tenant_a).forecast.invoice_dates[str(inv.open.pk)] != on
        with pytest.raises(PermissionDenied):
            invoice_expect_on(actor=inv.viewer, invoice=inv.open, on=on)
