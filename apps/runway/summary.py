"""The runway figures of the public summary row (apps/tenancy/summary.py): today's result
(from the runway cache when fresh), in the business's home currency."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from apps.core.money import round_cents as to_cents
from apps.runway.services import runway_compute


def runway_summary(business: Any) -> dict[str, Any]:
    result = runway_compute(business)
    aging = result.ar_aging
    return {
        "as_of": result.as_of,
        "currency": result.currency,
        "cash": to_cents(result.cash),
        "reserved": to_cents(result.reserved),
        "available": to_cents(result.available),
        "daily_burn": to_cents(result.daily_burn),
        "runway_days": (None if result.runway_days is None
                        else result.runway_days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        "low_point": to_cents(result.low_point.amount),
        "low_point_week": result.low_point.week_start,
        "cash_zero_week": result.cash_zero_week,
        "overdue_ar": to_cents(aging.total - aging.current),
    }
