"""The weekly forecast snapshots and the owner's decisions on recurring series (tenant
schema)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from apps.runway.models import ForecastSnapshot, RecurringSeriesOverride

from .base import TenantFactory


class ForecastSnapshotFactory(TenantFactory):
    class Meta:
        model = ForecastSnapshot
        django_get_or_create = ("week_start",)

    as_of = factory.LazyFunction(date.today)
    week_start = factory.LazyAttribute(lambda o: o.as_of - timedelta(days=o.as_of.weekday()))
    cash = Decimal("50000.00")
    reserved = Decimal("0.00")
    available = factory.LazyAttribute(lambda o: o.cash - o.reserved)
    daily_burn = Decimal("500.00")
    # The forecast's predicted closing balance for this week and the next.
    weeks = factory.LazyAttribute(lambda o: [
        {"week_start": (o.week_start + timedelta(weeks=k)).isoformat(),
         "closing": str(o.available - o.daily_burn * 7 * (k + 1))} for k in range(2)])


class RecurringSeriesOverrideFactory(TenantFactory):
    """The owner confirmed (or dismissed) the recurring series `key`."""

    class Meta:
        model = RecurringSeriesOverride

    key = factory.Sequence(lambda n: f"vendor:series-{n}")
    status = RecurringSeriesOverride.Status.CONFIRMED
