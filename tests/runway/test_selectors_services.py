"""Runway services over real rows: decisions and scenarios, snapshots and accuracy, the weekly
snapshot task, and the owner's recurring-series overrides."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from apps.core.dates import local_today, week_start
from apps.core.models import AuditEvent
from apps.runway.cache import runway_invalidate
from apps.runway.engine import DecisionError, PayBillNow, ScheduleBill
from apps.runway.models import ForecastSnapshot, RecurringSeriesOverride
from apps.runway.services import (
    SeriesOverrideError,
    decision_impact,
    forecast_accuracy_for,
    forecast_snapshot_store,
    runway_compute,
    series_override_clear,
    series_override_set,
)
from apps.runway.tasks import runway_snapshot_task
from tests.runway import books as b
from tests.utils import in_tenant

AS_OF = date(2025, 3, 12)
D = b.D


@pytest.fixture(autouse=True)
def _fresh_cache(tenant_a):
    runway_invalidate(tenant_a)


def impact_books():
    """Cash 10,000, reserve 1,000, burn 9,000 / 90 = 100.00 a day, a 12,000 bill due 03-19 and
    a 5,000 invoice due 04-02 (no payment history: expected on its due date)."""
    op = b.account("35", "Operating", "10000.00")
    b.reserve("Taxes", "1000.00")
    for i, who in enumerate(("Rent", "Payroll", "Agency")):
        b.purchase(op, AS_OF - timedelta(days=10 + 20 * i), "3000.00", who=who)
    big = b.bill(b.vendor("50", "Studio Lease"), AS_OF, date(2025, 3, 19), "12000.00")
    b.invoice(b.customer("1", "Acme"), AS_OF, date(2025, 4, 2), "5000.00")
    return big


def test_decision_impact_and_scenario_change_nothing_stored(tenant_a):
    with in_tenant(tenant_a):
        big = impact_books()
    base = runway_compute(tenant_a, as_of=AS_OF)
    assert base.daily_burn == D("100.00")
    assert (base.low_point.amount, base.low_point.week_start) == (D("-3000.00"), date(2025, 3, 17))
    assert base.cash_zero_week == date(2025, 3, 17)

    delay = ScheduleBill(str(big.pk), date(2025, 4, 7))
    assert decision_impact(tenant_a, delay, as_of=AS_OF).days == D("50.0")
    assert decision_impact(tenant_a, PayBillNow(str(big.pk)), as_of=AS_OF).days == D("-120.0")
    what_if = runway_compute(tenant_a, as_of=AS_OF, decisions=[delay])
    assert what_if.low_point.amount == D("2000.00") and what_if.cash_zero_week is None
    with pytest.raises(DecisionError):
        decision_impact(tenant_a, PayBillNow(str(big.pk), D("12000.01")), as_of=AS_OF)

    with in_tenant(tenant_a):
        big.refresh_from_db()
        assert big.scheduled_date is None and big.balance == D("12000.00")
    assert runway_compute(tenant_a, as_of=AS_OF).low_point.amount == D("-3000.00")


def test_snapshots_once_a_week_and_accuracy(tenant_a):
    with in_tenant(tenant_a):
        op = b.account("35", "Operating", "10000.00")
        paid = b.bill(b.vendor("50", "Rent Co"), date(2025, 3, 1), date(2025, 3, 12), "2000.00")
    monday = date(2025, 3, 10)
    first = forecast_snapshot_store(tenant_a, runway_compute(tenant_a, as_of=monday))
    assert first.weeks[0] == {"week_start": "2025-03-10", "closing": "8000.00"}
    assert len(first.weeks) == 13 and first.available == D("10000.00")
    # Same week again (a retry, or a later day): the first snapshot stays.
    again = forecast_snapshot_store(tenant_a, runway_compute(tenant_a, as_of=AS_OF))
    assert again.pk == first.pk and again.as_of == monday

    # Next Monday: the bill was paid and 500 more came in than expected.
    with in_tenant(tenant_a):
        op.current_balance = D("8500.00")
        op.save()
        paid.balance = paid.home_balance = D("0.00")
        paid.save()
    runway_invalidate(tenant_a)
    forecast_snapshot_store(tenant_a, runway_compute(tenant_a, as_of=date(2025, 3, 17)))
    with in_tenant(tenant_a):
        assert ForecastSnapshot.objects.count() == 2

    accuracy = forecast_accuracy_for(tenant_a)
    assert accuracy.count == 1  # only week 03-10 has an actual closing so far
    assert accuracy.mae == D("500.00")
    assert accuracy.bias == D("-500.00")  # we were pessimistic
    assert accuracy.percent == D("5.9")  # 500 / 8,500


def test_weekly_snapshot_task_is_idempotent(tenant_a):
    with in_tenant(tenant_a):
        b.account("35", "Operating", "10000.00")
    monday = week_start(local_today(tenant_a.timezone))
    with tenant_context(tenant_a):
        assert runway_snapshot_task.apply(throw=True).get() == f"stored for {monday}"
        assert runway_snapshot_task.apply(throw=True).get() == f"already stored for {monday}"
        assert ForecastSnapshot.objects.get().week_start == monday


def figma_books():
    op = b.account("35", "Operating", "10000.00")
    for day in (date(2024, 12, 20), date(2025, 1, 20), date(2025, 2, 20)):
        b.purchase(op, day, "99.00", who="Figma", who_id="77")


def projected(tenant) -> list[tuple[date, D]]:
    result = runway_compute(tenant, as_of=AS_OF)
    return [(p.date, p.amount) for p in result.forecast.recurring if not p.covered_by_bill]


def test_series_overrides_dismiss_edit_clear(tenant_a, owner_a):
    with in_tenant(tenant_a):
        figma_books()
    assert projected(tenant_a)[0] == (date(2025, 3, 20), D("99.00"))

    series_override_set(actor=owner_a, business=tenant_a, key="vendor:77", status="dismissed")
    assert projected(tenant_a) == []

    series_override_set(
        actor=owner_a, business=tenant_a, key="vendor:77", status="confirmed", amount=D("120.00")
    )
    assert projected(tenant_a)[0] == (date(2025, 3, 20), D("120.00"))
    with in_tenant(tenant_a):
        row = RecurringSeriesOverride.objects.get()
        assert row.edited_by_email == owner_a.email
    events = AuditEvent.objects.filter(business_id=tenant_a.pk, object_id=str(row.pk))
    assert {e.action for e in events} == {"runway.series_dismissed", "runway.series_confirmed"}

    assert series_override_clear(actor=owner_a, business=tenant_a, key="vendor:77")
    assert projected(tenant_a)[0] == (date(2025, 3, 20), D("99.00"))


def test_series_override_validation(tenant_a, owner_a):
    for kwargs in (
        {"status": "maybe"},
        {"status": "confirmed", "cadence": "yearly"},
        {"status": "confirmed", "amount": D("-1")},
        {"status": "confirmed", "amount": D("1.005")},
    ):
        with pytest.raises(SeriesOverrideError, match="status|cadence|amount"):
            series_override_set(actor=owner_a, business=tenant_a, key="vendor:1", **kwargs)
    with in_tenant(tenant_a):
        assert not RecurringSeriesOverride.objects.exists()
