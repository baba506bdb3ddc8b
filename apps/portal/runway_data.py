"""The runway figures a page shows, from runwaysvc's cached service (one Redis read when warm)."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from apps.core.dates import week_start
from apps.runway.charts import aging_svg, forecast_svg
from apps.runway.engine import RunwayResult
from apps.runway.models import ForecastSnapshot
from apps.runway.services import forecast_accuracy_for, runway_compute

log = logging.getLogger(__name__)


def runway_now(business: Any) -> RunwayResult | None:
    try:
        return runway_compute(business)
    except Exception:  # a page still renders (with a notice) if the books can't be computed
        log.exception("runway failed for %s", business.schema_name)
        return None


def runway_days_of(available: Decimal, burn: Decimal) -> Decimal | None:
    if burn <= 0:
        return None
    return (available / burn).quantize(Decimal("0.1"))


def last_week_days(result: RunwayResult) -> Decimal | None:
    """Runway days recorded by last week's forecast snapshot (None if there is none)."""
    snap = (
        ForecastSnapshot.objects.filter(week_start__lt=week_start(result.as_of))
        .order_by("-week_start")
        .only("available", "daily_burn", "week_start")
        .first()
    )
    if snap is None or snap.week_start < week_start(result.as_of) - timedelta(days=14):
        return None
    return runway_days_of(snap.available, snap.daily_burn)


def accuracy(business: Any):
    if ForecastSnapshot.objects.count() < 2:
        return None
    acc = forecast_accuracy_for(business)
    return acc if acc.count else None


def charts(result: RunwayResult, currency: str) -> dict[str, str]:
    return {
        "forecast": forecast_svg(
            result.weeks,
            opening=result.available,
            low_point_amount=result.low_point.amount,
            low_point_week=result.low_point.week_start,
            currency=currency,
        ),
        "ar_aging": aging_svg(result.ar_aging, title="Money owed to you", currency=currency),
        "ap_aging": aging_svg(result.ap_aging, title="Bills you owe", currency=currency),
    }


def habit_sentences(result: RunwayResult | None) -> dict[str, Any]:
    """Customer QBO id → its habit (sentence, avg days late)."""
    if result is None:
        return {}
    return {h.customer_id: h for h in result.habits}
