"""Decisions, scenarios and runway impact (days, sentence), on a small hand-checked business."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from apps.runway.engine import (
    ApplyCredit,
    CollectInvoice,
    DecisionError,
    DelayBill,
    ExpectInvoice,
    FundReserve,
    PayBillNow,
    ReleaseReserve,
    Reserve,
    RunwayInputs,
    ScheduleBill,
    apply_scenario,
    compute_runway,
    forecast_scenario,
    impact,
    inverse,
    to_json,
)

from .engine_helpers import bank, bill, inv, out

D = Decimal
AS_OF = date(2025, 3, 12)


def business(burn: bool = True) -> RunwayInputs:
    # 9,000 out over the trailing 90 days -> 100.00 a day.
    moves = (out(AS_OF - timedelta(days=30), "9000.00", who="One-off"),) if burn else ()
    return RunwayInputs(
        accounts=(bank("chk", "10000.00"),),
        movements=moves,
        open_bills=(bill("BIG", date(2025, 3, 19), "12000.00", name="Rent Co"),),
        open_invoices=(inv("I", date(2025, 4, 2), "5000.00", name="Acme Outdoor"),),
        reserves=(Reserve("tax", "Tax", D("1000.00")),),
    )


def test_base_forecast_has_a_cash_zero_week():
    r = compute_runway(business(), AS_OF)
    assert r.available == D("9000.00") and r.daily_burn == D("100.00")
    assert r.low_point.amount == D("-3000.00") and r.low_point.week_start == date(2025, 3, 17)
    assert r.cash_zero_week == date(2025, 3, 17)
    assert r.runway_days == D("90.0")


@pytest.mark.parametrize(
    ("decision", "kind", "delta", "days"),
    [
        (PayBillNow("BIG"), "cash", "-12000.00", "-120.0"),
        (PayBillNow("BIG", D("250.00")), "cash", "-250.00", "-2.5"),
        (CollectInvoice("I"), "cash", "5000.00", "50.0"),
        (CollectInvoice("I", D("0.04")), "cash", "0.04", "0.0"),
        (FundReserve("tax", D("1000.00")), "cash", "-1000.00", "-10.0"),
        (ReleaseReserve("tax", D("550.00")), "cash", "550.00", "5.5"),
        (ApplyCredit("VC1", D("2000.00"), bill_id="BIG"), "cash", "2000.00", "20.0"),
        (ApplyCredit("CM1", D("1000.00"), invoice_id="I"), "cash", "-1000.00", "-10.0"),
        # Low point -3,000 (week of Mar 17) -> 2,000 on Apr 7 when the bill moves to week 5.
        (DelayBill("BIG", date(2025, 4, 7)), "timing", "5000.00", "50.0"),
        # Invoice expected Mar 14 (week 1): the week-2 low point rises by 5,000.
        (ExpectInvoice("I", date(2025, 3, 14)), "timing", "5000.00", "50.0"),
        # Moving the invoice later than it already lands changes nothing at the low point.
        (ExpectInvoice("I", date(2025, 4, 20)), "timing", "0.00", "0.0"),
    ],
)
def test_impact_days(decision, kind, delta, days):
    result = impact(business(), AS_OF, decision)
    assert (result.kind, result.delta, result.days) == (kind, D(delta), D(days))
    if kind == "cash" and not isinstance(decision, ApplyCredit):
        assert result.after.available - result.before.available == D(delta)


def test_impact_sentences():
    pay = impact(business(), AS_OF, PayBillNow("BIG"))
    assert pay.sentence == (
        "Paying Rent Co's bill BIG now ($12,000.00) changes available cash by -$12,000.00 "
        "today: -120.0 days of runway at $100.00 a day of burn."
    )
    delay = impact(business(), AS_OF, ScheduleBill("BIG", date(2025, 4, 7)))
    assert delay.sentence == (
        "Paying Rent Co's bill BIG on 2025-04-07 moves the 13-week low point from -$3,000.00 "
        "to $2,000.00: +50.0 days of runway at $100.00 a day of burn."
    )


def test_no_burn_impact_has_no_days():
    result = impact(business(burn=False), AS_OF, PayBillNow("BIG"))
    assert result.days is None and "no burn" in result.sentence


def test_scenario_is_pure_and_combines_decisions():
    inputs = business()
    before = to_json(compute_runway(inputs, AS_OF))
    scenario = [DelayBill("BIG", date(2025, 4, 7)), CollectInvoice("I")]
    what_if = forecast_scenario(inputs, AS_OF, scenario)
    assert to_json(compute_runway(inputs, AS_OF)) == before  # nothing changed
    assert what_if.available == D("14000.00")
    assert what_if.cash_zero_week is None
    assert what_if.low_point.amount == D("2000.00")  # 14,000 - 12,000 in the week of Apr 7
    assert apply_scenario(inputs, []) is inputs


def test_paid_in_full_bill_leaves_forecast_and_aging():
    r = forecast_scenario(business(), AS_OF, [PayBillNow("BIG")])
    assert sum(w.ap_out for w in r.weeks) == D("0.00")
    assert r.ap_aging.total == D("0.00")


@pytest.mark.parametrize(
    "decision",
    [
        PayBillNow("BIG", D("12000.01")),
        PayBillNow("nope"),
        CollectInvoice("I", D("5000.01")),
        ReleaseReserve("tax", D("1000.01")),
        ApplyCredit("X", D("1.00")),
        ApplyCredit("X", D("1.00"), bill_id="BIG", invoice_id="I"),
        FundReserve("nope", D("1.00")),
    ],
)
def test_impossible_decisions_are_refused(decision):
    with pytest.raises(DecisionError):
        impact(business(), AS_OF, decision)


def test_inverse_returns_to_the_original():
    inputs = business()
    original = to_json(compute_runway(inputs, AS_OF))
    for decision in (
        PayBillNow("BIG", D("99.99")),
        CollectInvoice("I"),
        FundReserve("tax", D("5.00")),
        ReleaseReserve("tax", D("5.00")),
        ApplyCredit("C", D("10.00"), bill_id="BIG"),
        DelayBill("BIG", date(2025, 5, 1)),
        ExpectInvoice("I", date(2025, 3, 13)),
    ):
        undo = inverse(inputs, decision)
        there = impact(inputs, AS_OF, decision)
        back = impact(apply_scenario(inputs, [decision]), AS_OF, undo)
        assert back.delta == -there.delta and back.days == -there.days
        assert to_json(forecast_scenario(inputs, AS_OF, [decision, undo])) == original
