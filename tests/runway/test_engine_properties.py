"""Property tests (hypothesis) for the money math."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.runway.engine import (
    ApplyCredit,
    CollectInvoice,
    CustomerCredit,
    DelayBill,
    ExpectInvoice,
    FundReserve,
    PayBillNow,
    ReleaseReserve,
    Reserve,
    RunwayInputs,
    VendorCredit,
    apply_scenario,
    compute_runway,
    forecast_scenario,
    impact,
    inverse,
    to_json,
)

from .engine_helpers import bank, bill, inv, out

AS_OF = date(2025, 3, 12)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cents = st.integers(min_value=1, max_value=5_000_000_00).map(lambda c: Decimal(c).scaleb(-2))
signed_cents = st.integers(min_value=-5_000_000_00, max_value=5_000_000_00).map(
    lambda c: Decimal(c).scaleb(-2)
)
offsets = st.integers(min_value=-200, max_value=120)


@st.composite
def businesses(draw) -> RunwayInputs:
    n_inv = draw(st.integers(0, 12))
    n_bill = draw(st.integers(0, 12))
    invoices = tuple(
        inv(
            f"I{i}",
            AS_OF + timedelta(days=draw(offsets)),
            str(draw(cents)),
            customer=f"c{draw(st.integers(0, 3))}",
            expected=draw(st.none() | offsets.map(lambda d: AS_OF + timedelta(days=d))),
        )
        for i in range(n_inv)
    )
    bills = tuple(
        bill(
            f"B{i}",
            AS_OF + timedelta(days=draw(offsets)),
            str(draw(cents)),
            vendor=f"v{draw(st.integers(0, 3))}",
            name=draw(st.sampled_from(["Rent", "SaaS"])),
            scheduled=draw(st.none() | offsets.map(lambda d: AS_OF + timedelta(days=d))),
        )
        for i in range(n_bill)
    )
    moves = tuple(
        out(
            AS_OF - timedelta(days=draw(st.integers(1, 120))),
            str(draw(signed_cents)),
            draw(st.sampled_from(["a", "b", "card"])),
            kind=draw(st.sampled_from(["purchase", "transfer", "payroll"])),
            who=draw(st.sampled_from(["", "Rent", "SaaS", "Gusto"])),
            to=draw(st.sampled_from([None, "a", "b", "card"])),
        )
        for _ in range(draw(st.integers(0, 25)))
    )
    return RunwayInputs(
        accounts=(
            bank("a", str(draw(signed_cents))),
            bank("b", str(draw(signed_cents))),
            bank("card", "-10.00", kind="credit_card"),
        ),
        movements=moves,
        open_invoices=invoices,
        open_bills=bills,
        reserves=(Reserve("r", "Tax", draw(cents)),),
    )


@SETTINGS
@given(businesses())
def test_aging_buckets_sum_to_the_open_balance(inputs):
    r = compute_runway(inputs, AS_OF)
    assert r.ar_aging.total == sum((i.balance for i in inputs.open_invoices), Decimal(0))
    assert r.ap_aging.total == sum((b.balance for b in inputs.open_bills), Decimal(0))


@SETTINGS
@given(businesses())
def test_each_weeks_closing_is_the_next_weeks_opening(inputs):
    r = compute_runway(inputs, AS_OF)
    assert r.weeks[0].opening == r.available
    for this, nxt in zip(r.weeks, r.weeks[1:], strict=False):
        assert this.closing == this.opening + this.ar_in - this.ap_out - this.recurring_out
        assert nxt.opening == this.closing
    assert r.low_point.amount == min([r.available] + [w.closing for w in r.weeks])


def _up_to(draw, *limits: Decimal) -> Decimal:
    """A drawn amount from 0.01 to the least of ``limits`` (each at least 0.01)."""
    top = int(min(limits).scaleb(2))
    return Decimal(draw(st.integers(1, top))).scaleb(-2)


@st.composite
def business_and_decision(draw):
    inputs = draw(businesses())
    choices = [FundReserve("r", draw(cents)), ReleaseReserve("r", inputs.reserves[0].held)]
    if inputs.open_bills:
        b = draw(st.sampled_from(inputs.open_bills))
        # A credit the forecast already nets against the vendor's bills (DESIGN §4b).
        vc = VendorCredit("vc", b.vendor_id, b.vendor_name, AS_OF - timedelta(days=5), draw(cents))
        inputs = dataclasses.replace(inputs, vendor_credits=(vc,))
        choices += [
            PayBillNow(b.id),
            PayBillNow(b.id, b.balance / 2),
            DelayBill(b.id, AS_OF + timedelta(days=draw(offsets))),
            ApplyCredit("vc", _up_to(draw, vc.balance, b.balance), bill_id=b.id),
        ]
    if inputs.open_invoices:
        i = draw(st.sampled_from(inputs.open_invoices))
        kind = draw(st.sampled_from(["credit_memo", "payment"]))
        cc = CustomerCredit(f"{kind}:1", i.customer_id, i.customer_name, kind,
                            AS_OF - timedelta(days=5), draw(cents))
        inputs = dataclasses.replace(inputs, customer_credits=(cc,))
        choices += [
            CollectInvoice(i.id),
            ExpectInvoice(i.id, draw(st.none() | st.dates(date(2024, 1, 1), date(2026, 1, 1)))),
            ApplyCredit(cc.id, _up_to(draw, cc.balance, i.balance), invoice_id=i.id),
        ]
    return inputs, draw(st.sampled_from(choices))


@SETTINGS
@given(business_and_decision())
def test_an_impact_followed_by_its_inverse_returns_to_the_original(case):
    inputs, decision = case
    original = to_json(compute_runway(inputs, AS_OF))
    undo = inverse(inputs, decision)
    there = impact(inputs, AS_OF, decision)
    back = impact(apply_scenario(inputs, [decision]), AS_OF, undo)
    assert back.delta == -there.delta
    assert back.days == (None if there.days is None else -there.days)
    assert to_json(forecast_scenario(inputs, AS_OF, [decision, undo])) == original


def _walk(value, path="result"):
    assert not isinstance(value, float), path
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _walk(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, dict):
        for k, v in value.items():
            _walk(k, f"{path}[key]")
            _walk(v, f"{path}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        for n, v in enumerate(value):
            _walk(v, f"{path}[{n}]")


@SETTINGS
@given(business_and_decision())
def test_amounts_never_become_floats(case):
    inputs, decision = case
    r = compute_runway(inputs, AS_OF)
    _walk(r)
    _walk(to_json(r), "json")
    _walk(impact(inputs, AS_OF, decision), "impact")
    j = to_json(r)
    assert all(isinstance(j[k], str) for k in ("cash", "reserved", "available", "daily_burn"))
    assert all(len(j[k].split(".")[1]) == 2 for k in ("cash", "available", "daily_burn"))
