"""Decisions, scenarios and runway impact (days, sentence), on a small hand-checked business."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from apps.runway.engine import (
    ApplyCredit,
    CollectInvoice,
    CurrencyMismatch,
    CustomerCredit,
    DecisionError,
    DelayBill,
    ExchangeRate,
    ExpectInvoice,
    FundReserve,
    PayBillNow,
    ReleaseReserve,
    Reserve,
    RunwayInputs,
    ScheduleBill,
    VendorCredit,
    apply_scenario,
    compute_runway,
    forecast_scenario,
    impact,
    inverse,
    to_home,
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


VC1 = VendorCredit("VC1", "v1", "Rent Co", date(2025, 3, 1), D("2000.00"))
CM1 = CustomerCredit("credit_memo:1", "c1", "Acme Outdoor", "credit_memo", date(2025, 3, 1),
                     D("1000.00"))


def with_credits(inputs: RunwayInputs) -> RunwayInputs:
    """Rent Co's unapplied 2,000 credit (the forecast nets it against BIG) and Acme Outdoor's
    1,000 credit memo (netted against I)."""
    return replace(inputs, vendor_credits=(VC1,), customer_credits=(CM1,))


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
    if kind == "cash":
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
    inputs = with_credits(business())
    original = to_json(compute_runway(inputs, AS_OF))
    for decision in (
        PayBillNow("BIG", D("99.99")),
        CollectInvoice("I"),
        FundReserve("tax", D("5.00")),
        ReleaseReserve("tax", D("5.00")),
        ApplyCredit("VC1", D("10.00"), bill_id="BIG"),
        ApplyCredit("credit_memo:1", D("1000.00"), invoice_id="I"),
        DelayBill("BIG", date(2025, 5, 1)),
        ExpectInvoice("I", date(2025, 3, 13)),
    ):
        undo = inverse(inputs, decision)
        there = impact(inputs, AS_OF, decision)
        back = impact(apply_scenario(inputs, [decision]), AS_OF, undo)
        assert back.delta == -there.delta and back.days == -there.days
        assert to_json(forecast_scenario(inputs, AS_OF, [decision, undo])) == original


def _closings(result):
    return [(w.week_start, w.closing) for w in result.weeks]


@pytest.mark.parametrize(
    "decision",
    [
        ApplyCredit("VC1", D("2000.00"), bill_id="BIG"),
        ApplyCredit("VC1", D("500.00"), bill_id="BIG"),
        ApplyCredit("credit_memo:1", D("1000.00"), invoice_id="I"),
    ],
)
def test_applying_a_credit_the_forecast_already_nets_changes_nothing(decision):
    # The forecast already counts VC1 against BIG (10,000 to pay) and the memo against I (4,000
    # expected): applying either in QuickBooks only makes the books agree. Counting it as cash
    # (+2,000 / -1,000 today) would count it twice.
    inputs = with_credits(business())
    result = impact(inputs, AS_OF, decision)
    assert (result.kind, result.delta, result.days) == ("timing", D("0.00"), D("0.0"))
    assert result.after.available == result.before.available == D("9000.00")
    assert result.after.low_point == result.before.low_point
    assert result.before.low_point.amount == D("-1000.00")  # 9,000 - (12,000 - 2,000)
    assert _closings(result.after) == _closings(result.before)


def test_applying_a_credit_moves_both_the_credit_and_the_document():
    inputs = with_credits(business())
    after = apply_scenario(inputs, [ApplyCredit("VC1", D("500.00"), bill_id="BIG")])
    assert after.vendor_credits[0].balance == D("1500.00")
    assert after.open_bills[0].balance == D("11500.00")
    assert inputs.vendor_credits == (VC1,) and inputs.open_bills[0].balance == D("12000.00")
    r = compute_runway(after, AS_OF)
    assert r.forecast.credit_applied == {"BIG": D("1500.00")}
    assert r.ap_aging.total == D("11500.00")  # aging follows the bill's own open balance


def test_applying_a_credit_to_a_later_bill_than_the_forecast_moves_the_low_point():
    # The forecast puts Rent Co's 2,000 credit on BIG (due Mar 19, the earliest). Applied to
    # LATER (Apr 30) instead, BIG is paid in full in the week of Mar 17: the low point falls
    # from -1,000 to -3,000, -20.0 days at 100.00 a day.
    inputs = with_credits(business())
    inputs = replace(
        inputs,
        open_bills=inputs.open_bills + (bill("LATER", date(2025, 4, 30), "3000.00"),),
    )
    result = impact(inputs, AS_OF, ApplyCredit("VC1", D("2000.00"), bill_id="LATER"))
    assert (result.kind, result.delta, result.days) == ("timing", D("-2000.00"), D("-20.0"))
    assert result.after.available == result.before.available
    assert result.sentence == (
        "Applying $2,000.00 of Rent Co's credit to bill LATER moves the 13-week low point from "
        "-$1,000.00 to -$3,000.00: -20.0 days of runway at $100.00 a day of burn."
    )


def test_credit_sentence_when_the_forecast_already_counts_it():
    result = impact(with_credits(business()), AS_OF, ApplyCredit("VC1", D("2000.00"),
                                                                 bill_id="BIG"))
    assert result.sentence == (
        "Applying $2,000.00 of Rent Co's credit to bill BIG leaves the 13-week low point at "
        "-$1,000.00: +0.0 days of runway at $100.00 a day of burn."
    )


OTHER_VENDOR = VendorCredit("VC2", "v2", "Other Co", date(2025, 3, 1), D("50.00"))
OTHER_CUSTOMER = CustomerCredit("payment:9", "c2", "Other", "payment", date(2025, 3, 1),
                                D("50.00"))


@pytest.mark.parametrize(
    "decision",
    [
        # A credit the inputs do not hold (or of the wrong kind for its target).
        ApplyCredit("nope", D("1.00"), bill_id="BIG"),
        ApplyCredit("nope", D("1.00"), invoice_id="I"),
        ApplyCredit("VC1", D("1.00"), invoice_id="I"),
        ApplyCredit("credit_memo:1", D("1.00"), bill_id="BIG"),
        # Another vendor's / customer's credit.
        ApplyCredit("VC2", D("1.00"), bill_id="BIG"),
        ApplyCredit("payment:9", D("1.00"), invoice_id="I"),
        # More than the credit holds (the bill could take it), nothing, or an unknown target.
        ApplyCredit("VC1", D("2000.01"), bill_id="BIG"),
        ApplyCredit("credit_memo:1", D("1000.01"), invoice_id="I"),
        ApplyCredit("VC1", D("0.00"), bill_id="BIG"),
        ApplyCredit("VC1", D("1.00"), bill_id="nope"),
    ],
)
def test_impossible_credit_applications_are_refused(decision):
    inputs = with_credits(business())
    inputs = replace(
        inputs,
        vendor_credits=inputs.vendor_credits + (OTHER_VENDOR,),
        customer_credits=inputs.customer_credits + (OTHER_CUSTOMER,),
    )
    with pytest.raises(DecisionError):
        impact(inputs, AS_OF, decision)


def test_a_credit_larger_than_the_bill_applies_only_the_bill_s_balance():
    small = replace(business(), open_bills=(bill("S", date(2025, 3, 19), "300.00"),),
                    vendor_credits=(VC1,))
    with pytest.raises(DecisionError):
        impact(small, AS_OF, ApplyCredit("VC1", D("300.01"), bill_id="S"))
    result = impact(small, AS_OF, ApplyCredit("VC1", D("300.00"), bill_id="S"))
    assert result.delta == D("0.00")
    assert result.after.forecast.credit_applied == {}  # S is paid; 1,700 of credit is left


def test_a_foreign_credit_is_applied_in_home_money_after_conversion():
    # A CAD bill of 1,000 and a CAD credit of 400 at 0.72: 720.00 and 288.00 home.
    rates = (ExchangeRate("CAD", D("0.72"), date(2025, 3, 1)),)
    cad_bill = replace(bill("CB", date(2025, 3, 25), "1000.00", vendor="v9", name="Maple"),
                       currency="CAD")
    cad_credit = VendorCredit("VC9", "v9", "Maple", date(2025, 3, 1), D("400.00"), "CAD")
    raw = replace(business(), open_bills=(cad_bill,), vendor_credits=(cad_credit,), rates=rates)
    with pytest.raises(CurrencyMismatch):
        impact(raw, AS_OF, ApplyCredit("VC9", D("288.00"), bill_id="CB"))
    home = to_home(raw, AS_OF)
    result = impact(home, AS_OF, ApplyCredit("VC9", D("288.00"), bill_id="CB"))
    assert (result.kind, result.delta) == ("timing", D("0.00"))
    assert _closings(result.after) == _closings(result.before)
    with pytest.raises(DecisionError):  # 400 is the CAD amount, above the 288.00 home balance
        impact(home, AS_OF, ApplyCredit("VC9", D("400.00"), bill_id="CB"))
