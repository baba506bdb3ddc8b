"""Cash position, reserves and daily burn: windows, transfers, cards, sources, no burn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.runway.engine import (
    CashMovement,
    Reserve,
    RunwayInputs,
    compute_runway,
    runway_days,
    to_json,
)

from .engine_helpers import bank, out

D = Decimal
AS_OF = date(2025, 3, 12)


def run(**kw):
    return compute_runway(RunwayInputs(**kw), AS_OF)


def test_fresher_copy_of_a_linked_account_wins_and_counts_once():
    utc = UTC
    accounts = (
        bank("qbo-1", "100.00", linked="a", fresh=datetime(2025, 3, 12, 10, tzinfo=utc)),
        bank(
            "plaid-1",
            "90.00",
            linked="a",
            source="bank_feed",
            fresh=datetime(2025, 3, 12, 9, tzinfo=utc),
        ),
    )
    assert run(accounts=accounts).cash == D("100.00")  # QBO is fresher here
    tie = (
        bank("qbo-1", "100.00", linked="a"),
        bank("plaid-1", "90.00", linked="a", source="bank_feed"),
    )
    assert run(accounts=tie).cash == D("90.00")  # same moment: the bank's own number


def test_excluding_either_copy_excludes_the_account():
    accounts = (
        bank("qbo-1", "100.00", linked="a"),
        bank("plaid-1", "100.00", linked="a", source="bank_feed", included=False),
        bank("sav", "5.00"),
    )
    assert run(accounts=accounts).cash == D("5.00")


def test_reserves_reduce_available_and_inactive_ones_do_not():
    r = run(
        accounts=(bank("chk", "1000.00"),),
        reserves=(
            Reserve("t", "Tax", D("300.00")),
            Reserve("p", "Payroll", D("200.00")),
            Reserve("x", "Old", D("999.00"), active=False),
        ),
    )
    assert (r.cash, r.reserved, r.available) == (D("1000.00"), D("500.00"), D("500.00"))


def test_trailing_window_edges():
    start = AS_OF - timedelta(days=90)
    moves = (
        out(start - timedelta(days=1), "1.00"),
        out(start, "10.00"),
        out(AS_OF - timedelta(days=1), "100.00"),
        out(AS_OF, "1000.00"),
    )
    r = run(accounts=(bank("chk", "0.00"),), movements=moves)
    assert r.burn.outflow_total == D("110.00")
    assert r.daily_burn == D("1.22")  # 110 / 90 = 1.2222…


def test_qbo_transfer_between_included_accounts_is_excluded():
    accounts = (bank("chk", "0.00"), bank("sav", "0.00"), bank("ext", "0.00", included=False))
    moves = (
        out(date(2025, 3, 1), "500.00", kind="transfer", to="sav"),
        out(date(2025, 3, 2), "70.00", kind="transfer", to="ext"),
    )
    r = run(accounts=accounts, movements=moves)
    assert r.burn.outflow_total == D("70.00")
    assert r.burn.internal_transfers == D("500.00")


def test_feed_transfer_paired_with_its_other_leg_is_excluded():
    accounts = (bank("chk", "0.00", source="bank_feed"), bank("sav", "0.00", source="bank_feed"))
    moves = (
        out(date(2025, 3, 1), "500.00", kind="transfer", source="bank_feed"),
        out(date(2025, 3, 3), "-500.00", "sav", kind="transfer", source="bank_feed"),
        # A second transfer of the same amount with no other leg: money left runway.
        out(date(2025, 3, 5), "500.00", kind="transfer", source="bank_feed"),
        # An incoming leg on the same account is not the other side of its own transfer.
        out(date(2025, 3, 8), "-80.00", kind="transfer", source="bank_feed"),
        out(date(2025, 3, 8), "80.00", kind="transfer", source="bank_feed"),
    )
    r = run(accounts=accounts, movements=moves)
    assert r.burn.outflow_total == D("580.00")
    assert r.burn.internal_transfers == D("500.00")


def test_card_expenses_excluded_card_payoff_counts():
    accounts = (bank("chk", "0.00"), bank("card", "-900.00", kind="credit_card"))
    moves = (
        out(date(2025, 3, 1), "900.00", "card", who="Airline"),
        out(date(2025, 3, 2), "900.00", kind="bill_payment", to="card"),
    )
    r = run(accounts=accounts, movements=moves)
    assert r.cash == D("0.00")  # a card is never cash
    assert r.burn.outflow_total == D("900.00")


def test_bank_feed_preferred_over_qbo_per_account():
    accounts = (
        bank("qbo-chk", "0.00", linked="chk"),
        bank("feed-chk", "0.00", linked="chk", source="bank_feed"),
        bank("sav", "0.00"),
    )
    moves = (
        out(date(2025, 3, 1), "100.00", "qbo-chk"),
        out(date(2025, 3, 1), "101.00", "feed-chk", source="bank_feed"),
        out(date(2025, 3, 1), "7.00", "sav"),
        out(date(2025, 3, 1), "99.00", "unknown-account"),
    )
    r = run(accounts=accounts, movements=moves)
    assert r.burn.outflow_total == D("108.00")


def test_inflows_never_reduce_gross_burn():
    moves = (out(date(2025, 3, 1), "900.00"), out(date(2025, 3, 2), "-5000.00", kind="deposit"))
    assert run(accounts=(bank("chk", "0"),), movements=moves).burn.outflow_total == D("900.00")


def test_no_burn_means_no_runway_days_not_an_error():
    r = run(
        accounts=(bank("chk", "5000.00"),),
        movements=(out(date(2025, 3, 1), "-100.00", kind="deposit"),),
    )
    assert r.daily_burn == D("0.00") and r.runway_days is None
    j = to_json(r)
    assert j["runway_days"] is None and j["daily_burn"] == "0.00"
    assert "no burn" in r.runway_sentence


def test_burn_that_rounds_to_zero_cents_is_no_burn():
    r = run(accounts=(bank("chk", "5000.00"),), movements=(out(date(2025, 3, 1), "0.40"),))
    assert r.daily_burn == D("0.00") and r.runway_days is None


@pytest.mark.parametrize(
    ("available", "burn", "days"),
    [
        ("1000.00", "3.00", "333.3"),
        ("1000.00", "6.00", "166.7"),
        ("-500.00", "100.00", "-5.0"),
        ("45.00", "100.00", "0.5"),
        ("0.00", "1.00", "0.0"),
    ],
)
def test_runway_days_one_decimal_half_up(available, burn, days):
    assert runway_days(D(available), D(burn)) == D(days)


def test_float_amounts_are_refused():
    with pytest.raises(TypeError):
        bank("chk", "1.00").__class__("k", "n", 1.5, AS_OF)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # a named tuple, checked when called
        CashMovement(AS_OF, 1.5, "chk")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        CashMovement(AS_OF, amount=2, account_key="chk")  # type: ignore[arg-type]
