"""The runway of one business: today's figures, what-if scenarios, decision impacts, weekly
forecast snapshots and their accuracy. Callers pass the business; everything runs in its schema
and "today" is the business's local date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django_tenants.utils import tenant_context

from apps.core.dates import local_today
from apps.core.errors import ApplicationError
from apps.core.services.audit import audit_record
from apps.runway import selectors
from apps.runway.cache import cache_result, cached_result, runway_invalidate
from apps.runway.engine import (
    Accuracy,
    Decision,
    Impact,
    PredictedClose,
    RunwayInputs,
    RunwayResult,
    compute_runway,
    forecast_accuracy,
    forecast_scenario,
    history_facts,
    impact,
    snapshot,
    to_json,
)
from apps.runway.engine.compute import outflow_facts
from apps.runway.engine.weeks import week_start_of
from apps.runway.models import ForecastSnapshot, RecurringSeriesOverride

__all__ = [
    "decision_impact",
    "forecast_accuracy_for",
    "forecast_snapshot_store",
    "runway_compute",
    "runway_inputs_for",
    "runway_invalidate",
    "runway_json",
    "series_override_clear",
    "series_override_set",
]


def runway_today(business: Any) -> date:
    return local_today(business.timezone)


def runway_inputs_for(business: Any, *, as_of: date | None = None) -> RunwayInputs:
    """The engine inputs of ``business`` as stored now (uncached)."""
    as_of = as_of or runway_today(business)
    with tenant_context(business):
        return selectors.runway_inputs(as_of=as_of, currency=business.currency or "USD")


def _base(business: Any, as_of: date) -> tuple[RunwayInputs | None, RunwayResult]:
    """Today's result from the cache, else computed (and cached) — with its inputs if loaded."""
    version, hit = cached_result(business, as_of)  # read before loading: a bump during it wins
    if hit is not None:
        return None, hit
    with tenant_context(business):
        started = selectors.runway_inputs_started(
            as_of=as_of, currency=business.currency or "USD"
        )
        try:
            # Burn and recurring series while Postgres still sorts the paid invoices.
            outflows = outflow_facts(started.inputs, as_of)
        finally:
            inputs = started.finish()
    result = compute_runway(inputs, as_of, history=history_facts(inputs, as_of, outflows=outflows))
    cache_result(business, result, version)
    return inputs, result


def runway_compute(
    business: Any, *, as_of: date | None = None, decisions: Sequence[Decision] = ()
) -> RunwayResult:
    """DESIGN §4 for ``business`` on ``as_of`` (default: its local today). With ``decisions``,
    the what-if forecast as if they were made (nothing stored changes)."""
    as_of = as_of or runway_today(business)
    inputs, base = _base(business, as_of)
    if not decisions:
        return base
    inputs = inputs or runway_inputs_for(business, as_of=as_of)
    return forecast_scenario(inputs, as_of, tuple(decisions), history=base.history)


def runway_json(
    business: Any, *, as_of: date | None = None, decisions: Sequence[Decision] = ()
) -> dict:
    """The `manage.py runway --json` payload (DESIGN §4 keys, amounts as decimal strings)."""
    return to_json(runway_compute(business, as_of=as_of, decisions=decisions))


def decision_impact(business: Any, decision: Decision, *, as_of: date | None = None) -> Impact:
    """Runway days a decision is worth (Δcash or Δlow point ÷ daily burn) with its sentence.
    Raises engine.DecisionError for an impossible decision (unknown id, more than owed...)."""
    as_of = as_of or runway_today(business)
    inputs, base = _base(business, as_of)
    inputs = inputs or runway_inputs_for(business, as_of=as_of)
    return impact(inputs, as_of, decision, before=base)


# --- forecast snapshots and accuracy ------------------------------------------------------------


def forecast_snapshot_store(business: Any, result: RunwayResult) -> ForecastSnapshot:
    """Store the forecast once per local week (the first one wins, so retries change nothing)."""
    weeks = [
        {"week_start": p.week_start.isoformat(), "closing": f"{p.closing:.2f}"}
        for p in snapshot(result)
    ]
    with tenant_context(business):
        row, _ = ForecastSnapshot.objects.get_or_create(
            week_start=week_start_of(result.as_of),
            defaults={
                "as_of": result.as_of,
                "cash": result.cash,
                "reserved": result.reserved,
                "available": result.available,
                "daily_burn": result.daily_burn,
                "weeks": weeks,
            },
        )
    return row


def forecast_accuracy_for(business: Any) -> Accuracy:
    """Past predictions against what happened. The actual closing of week W is the Available
    recorded by the snapshot of week W+1 (made on its Monday by the weekly task)."""
    with tenant_context(business):
        rows = list(
            ForecastSnapshot.objects.order_by("week_start").values_list(
                "as_of", "week_start", "available", "weeks"
            )
        )
    actual = {week - timedelta(days=7): available for _, week, available, _ in rows}
    predictions = [
        PredictedClose(made_on, date.fromisoformat(w["week_start"]), Decimal(w["closing"]))
        for made_on, _, _, weeks in rows
        for w in weeks
    ]
    return forecast_accuracy(predictions, actual)


# --- the owner's word on recurring payments ----------------------------------------------------


class SeriesOverrideError(ApplicationError):
    code = "invalid_series_override"


def _override_state(row: RecurringSeriesOverride | None) -> dict | None:
    if row is None:
        return None
    return {
        "status": row.status,
        "name": row.name,
        "cadence": row.cadence,
        "amount": None if row.amount is None else f"{row.amount:.2f}",
        "next_date": row.next_date.isoformat() if row.next_date else None,
    }


def series_override_set(
    *,
    actor: Any,
    business: Any,
    key: str,
    status: str,
    name: str = "",
    cadence: str = "",
    amount: Decimal | None = None,
    next_date: date | None = None,
) -> RecurringSeriesOverride:
    """Confirm (optionally editing name/cadence/amount/next date) or dismiss a series."""
    if status not in RecurringSeriesOverride.Status.values:
        raise SeriesOverrideError(f"status must be confirmed or dismissed, not {status!r}")
    if cadence and cadence not in RecurringSeriesOverride.Cadence.values:
        raise SeriesOverrideError(f"unknown cadence {cadence!r}")
    if amount is not None:
        if not isinstance(amount, Decimal) or amount <= 0 or amount.as_tuple().exponent < -2:
            raise SeriesOverrideError("amount must be a positive Decimal with at most 2 decimals")
    if not key:
        raise SeriesOverrideError("a series key is required")
    with tenant_context(business), transaction.atomic():
        row = RecurringSeriesOverride.objects.select_for_update().filter(key=key).first()
        before = _override_state(row)
        row = row or RecurringSeriesOverride(key=key)
        row.status, row.name, row.cadence = status, name, cadence
        row.amount, row.next_date = amount, next_date
        row.edited_by_email = getattr(actor, "email", "") or ""
        row.save()
        audit_record(
            actor=actor, action=f"runway.series_{status}", business=business, obj=row,
            before=before, after=_override_state(row),
        )
    runway_invalidate(business)
    return row


def series_override_clear(*, actor: Any, business: Any, key: str) -> bool:
    """Forget the owner's word on a series (detection decides again)."""
    with tenant_context(business), transaction.atomic():
        row = RecurringSeriesOverride.objects.select_for_update().filter(key=key).first()
        if row is None:
            return False
        before = _override_state(row)
        audit_record(
            actor=actor, action="runway.series_cleared", business=business, obj=row,
            before=before, after=None,
        )
        row.delete()
    runway_invalidate(business)
    return True
