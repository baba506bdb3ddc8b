"""Aging buckets, DSO/DPO and forecast accuracy."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from apps.runway.engine import (
    PredictedClose,
    bucket_of,
    compute_runway,
    forecast_accuracy,
    snapshot,
)
from apps.runway.engine.aging import age, days_outstanding

from .worked_example import AS_OF, worked_inputs

D = Decimal


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d90_plus"),
        (400, "d90_plus"),
    ],
)
def test_bucket_edges(days, bucket):
    assert bucket_of(days) == bucket


def test_age_sums_balances_by_bucket():
    today = date(2025, 3, 12)
    a = age(
        [
            (today, D("1.00")),
            (today - timedelta(days=45), D("2.50")),
            (today - timedelta(days=46), D("0.50")),
            (today - timedelta(days=95), D("9.99")),
        ],
        today,
    )
    assert (a.current, a.d31_60, a.d90_plus, a.total) == (
        D("1.00"),
        D("3.00"),
        D("9.99"),
        D("13.99"),
    )


def test_days_outstanding():
    assert days_outstanding(D("34500.00"), D("45000.00")) == D("69.0")
    assert days_outstanding(D("100.00"), D("300.00")) == D("30.0")
    assert days_outstanding(D("1.00"), D("7.00")) == D("12.9")  # 12.857…
    assert days_outstanding(D("100.00"), D("0.00")) is None


def test_forecast_accuracy():
    made = date(2025, 1, 8)  # week of Jan 6
    preds = [
        PredictedClose(made, date(2025, 1, 6), D("1000.00")),
        PredictedClose(made, date(2025, 1, 13), D("900.00")),
        PredictedClose(made, date(2025, 1, 20), D("800.00")),
        PredictedClose(date(2025, 1, 15), date(2025, 1, 20), D("850.00")),
        PredictedClose(made, date(2025, 1, 27), D("700.00")),
    ]  # not closed yet
    actual = {
        date(2025, 1, 6): D("1000.00"),
        date(2025, 1, 13): D("1000.00"),
        date(2025, 1, 20): D("700.00"),
    }
    acc = forecast_accuracy(preds, actual)
    assert acc.count == 4
    assert acc.mae == D("87.50")  # (0 + 100 + 100 + 150) / 4
    assert acc.percent == D("10.3")  # Σ|error| / Σ|actual| = 350 / 3,400 = 10.29…%
    assert acc.bias == D("37.50")  # (0 - 100 + 100 + 150) / 4: we were optimistic
    assert [(b.lead_weeks, b.count, b.mae) for b in acc.by_lead] == [
        (0, 1, D("0.00")),
        (1, 2, D("125.00")),
        (2, 1, D("100.00")),
    ]
    assert forecast_accuracy([], actual).mae is None


def test_snapshot_of_a_result():
    snap = snapshot(compute_runway(worked_inputs(), AS_OF))
    assert len(snap) == 13 and snap[0].made_on == AS_OF and snap[-1].closing == D("76365.00")
