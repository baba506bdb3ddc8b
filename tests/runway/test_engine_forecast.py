"""Forecast placement rules: week boundaries, horizon, overdue, doubtful, partly paid."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from apps.runway.engine import RunwayInputs, compute_runway

from .engine_helpers import bank, bill, inv, out

D = Decimal
SUNDAY = date(2025, 3, 16)


def run(as_of, **kw):
    return compute_runway(RunwayInputs(accounts=(bank("chk", "1000.00"),), **kw), as_of)


def test_week_boundary_on_a_sunday():
    r = run(
        SUNDAY,
        open_bills=(
            bill("sun", SUNDAY, "1.00"),  # today, last day of week 1
            bill("mon", SUNDAY + timedelta(days=1), "10.00"),  # first day of week 2
            bill("last", date(2025, 6, 8), "100.00"),  # Sunday ending week 13
            bill("after", date(2025, 6, 9), "1000.00"),  # Monday after week 13: outside
        ),
    )
    assert r.weeks[0].week_start == date(2025, 3, 10)  # Monday of the as-of week
    assert [w.ap_out for w in r.weeks][:2] == [D("1.00"), D("10.00")]
    assert r.weeks[12].week_start == date(2025, 6, 2) and r.weeks[12].ap_out == D("100.00")
    assert r.forecast.beyond_horizon_out == D("1000.00")
    assert r.weeks[12].closing == D("889.00")


def test_overdue_and_partly_paid_bills():
    as_of = date(2025, 3, 12)
    r = run(
        as_of,
        open_bills=(
            bill("over", date(2025, 3, 1), "300.00"),  # overdue -> paid today, flagged
            bill("part", date(2025, 3, 20), "250.00"),  # total 1,000, 750 already paid
            bill("sched", date(2025, 3, 1), "40.00", scheduled=date(2025, 3, 25)),  # owner's date
            bill("stale", date(2025, 3, 13), "5.00", scheduled=date(2025, 3, 1)),  # past schedule
        ),
    )
    assert r.forecast.bill_dates == {
        "over": as_of,
        "part": date(2025, 3, 20),
        "sched": date(2025, 3, 25),
        "stale": as_of,
    }
    assert [w.ap_out for w in r.weeks[:3]] == [D("305.00"), D("250.00"), D("40.00")]
    assert sorted(f.ref for f in r.flags if f.code == "bill_overdue") == ["over", "sched"]
    assert r.ap_aging.total == D("595.00")


def test_more_than_90_days_past_due_is_doubtful_unless_the_owner_expects_it():
    as_of = date(2025, 3, 12)
    r = run(
        as_of,
        open_invoices=(
            inv("d90", as_of - timedelta(days=90), "90.00"),  # exactly 90: still expected
            inv("d91", as_of - timedelta(days=91), "91.00"),  # 91: excluded and flagged
            inv("owner", as_of - timedelta(days=200), "7.00", expected=date(2025, 4, 1)),
        ),
    )
    assert r.forecast.invoice_dates == {"d90": as_of, "d91": None, "owner": date(2025, 4, 1)}
    assert r.weeks[0].ar_in == D("90.00") and r.weeks[3].ar_in == D("7.00")
    assert [f.ref for f in r.flags if f.code == "invoice_doubtful"] == ["d91"]
    assert r.ar_aging.d61_90 == D("90.00") and r.ar_aging.d90_plus == D("98.00")


def test_low_point_ties_keep_the_earliest_week_and_cash_zero_week():
    as_of = date(2025, 3, 12)
    r = run(
        as_of,
        open_bills=(bill("a", date(2025, 3, 18), "1000.00"), bill("b", date(2025, 3, 25), "0.01")),
        open_invoices=(inv("i", date(2025, 4, 1), "0.01"),),
    )
    assert r.low_point.amount == D("-0.01") and r.low_point.week_start == date(2025, 3, 24)
    assert r.cash_zero_week == date(2025, 3, 24)  # week 2 closes at exactly 0: not below
    flat = run(as_of)
    assert flat.low_point.amount == D("1000.00") and flat.low_point.week_start == date(2025, 3, 10)
    assert flat.cash_zero_week is None


def test_closing_is_opening_plus_in_minus_out():
    as_of = date(2025, 3, 12)
    r = run(
        as_of,
        open_bills=(bill("a", date(2025, 4, 18), "10.10"),),
        open_invoices=(inv("i", date(2025, 4, 1), "20.20"),),
        movements=tuple(out(date(2025, m, 2), "3.33", who="Sub") for m in (1, 2, 3)),
    )
    opening = r.available
    for w in r.weeks:
        assert w.opening == opening
        assert w.closing == w.opening + w.ar_in - w.ap_out - w.recurring_out
        opening = w.closing
