"""Forecast accuracy: stored past forecasts against the closing cash that actually happened."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import ZERO, to_cents, to_tenth
from .result import RunwayResult
from .weeks import week_start_of


@dataclass(frozen=True, slots=True)
class PredictedClose:
    """One week of one stored forecast snapshot."""

    made_on: date  # the as_of of the forecast
    week_start: date
    closing: Decimal


@dataclass(frozen=True, slots=True)
class LeadAccuracy:
    lead_weeks: int  # 0 = the week the forecast was made in
    count: int
    mae: Decimal


@dataclass(frozen=True, slots=True)
class Accuracy:
    count: int  # predictions with a known actual
    mae: Decimal | None  # mean absolute error, cents
    percent: Decimal | None  # Σ|error| ÷ Σ|actual| × 100, one decimal (WAPE)
    bias: Decimal | None  # mean (predicted − actual), cents; > 0 = we were optimistic
    by_lead: tuple[LeadAccuracy, ...]


def snapshot(result: RunwayResult) -> tuple[PredictedClose, ...]:
    """What to store for a forecast: predicted closing per week."""
    return tuple(PredictedClose(result.as_of, w.week_start, w.closing) for w in result.weeks)


def forecast_accuracy(
    predictions: Iterable[PredictedClose], actual_closing: Mapping[date, Decimal]
) -> Accuracy:
    """Compare each prediction with the actual closing cash of its week (weeks not yet closed
    or unknown are skipped)."""
    abs_sum = signed_sum = actual_abs_sum = ZERO
    count = 0
    leads: dict[int, list[Decimal]] = {}
    for p in predictions:
        actual = actual_closing.get(p.week_start)
        if actual is None:
            continue
        error = p.closing - actual
        count += 1
        abs_sum += abs(error)
        signed_sum += error
        actual_abs_sum += abs(actual)
        lead = (p.week_start - week_start_of(p.made_on)).days // 7
        leads.setdefault(lead, []).append(abs(error))
    if count == 0:
        return Accuracy(0, None, None, None, ())
    return Accuracy(
        count=count,
        mae=to_cents(abs_sum / count),
        percent=to_tenth(abs_sum * 100 / actual_abs_sum) if actual_abs_sum else None,
        bias=to_cents(signed_sum / count),
        by_lead=tuple(
            LeadAccuracy(lead, len(errs), to_cents(sum(errs, ZERO) / len(errs)))
            for lead, errs in sorted(leads.items())
        ),
    )
