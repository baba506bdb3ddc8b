"""DESIGN §4 end to end on the hand-computed example of docs/runway.md."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from apps.runway.engine import compute_runway, to_json

from .worked_example import AS_OF, worked_inputs

D = Decimal


def result_json() -> dict:
    return to_json(compute_runway(worked_inputs(), AS_OF))


def test_headline_figures():
    j = result_json()
    assert j["as_of"] == "2025-03-12" and j["currency"] == "USD"
    assert j["cash"] == "70000.00"  # 50,000 (feed, fresher) + 20,000 savings
    assert j["reserved"] == "8000.00"
    assert j["available"] == "62000.00"
    # 10,000 + 90 + 2,000 card payoff + 310 fee + 1,000 to an excluded account + 3 × 45
    assert j["burn"]["outflow_total"] == "13535.00"
    assert j["burn"]["internal_transfers_excluded"] == "5000.00"
    assert j["daily_burn"] == "150.39"  # 13,535 / 90 = 150.388… → 150.39
    assert j["runway_days"] == "412.3"  # 62,000 / 150.39 = 412.26…
    assert j["burn"]["sources"] == {"op": "bank_feed", "sav": "qbo"}


def test_weeks_by_hand():
    weeks = result_json()["weeks"]
    assert len(weeks) == 13
    assert weeks[0]["week_start"] == "2025-03-10"
    assert weeks[12]["week_start"] == "2025-06-02"
    rows = [(w["ar_in"], w["ap_out"], w["recurring_out"], w["closing"]) for w in weeks]
    assert rows[0] == ("5500.00", "1800.00", "0.00", "65700.00")  # A2 today, B3 Sunday; O1
    assert rows[1] == ("12000.00", "2000.00", "45.00", "75655.00")  # A1 Mar 21; X1; Figma 20th
    assert rows[2] == ("6000.00", "700.00", "0.00", "80955.00")  # B1 Mar 26; S1 scheduled
    assert rows[3] == ("0.00", "4500.00", "0.00", "76455.00")  # R1 Apr 1
    assert rows[5] == ("0.00", "0.00", "45.00", "76410.00")  # Figma Apr 20 (a Sunday)
    assert rows[10] == ("0.00", "0.00", "45.00", "76365.00")  # Figma May 20
    assert rows[12][3] == "76365.00"


def test_low_point_flags_and_horizon():
    j = result_json()
    assert j["low_point"] == {"amount": "62000.00", "week_start": "2025-03-10"}
    assert j["cash_zero_week"] is None
    assert j["beyond_horizon"] == {"ar_in": "7000.00", "ap_out": "0.00"}  # B2 on Jun 11
    codes = {(f["code"], f["ref"]) for f in j["flags"]}
    assert codes == {("invoice_doubtful", "A3"), ("bill_overdue", "O1")}


def test_aging_dso_dpo():
    j = result_json()
    assert j["ar_aging"] == {
        "current": "15500.00",
        "d1_30": "12000.00",
        "d31_60": "3000.00",
        "d61_90": "0.00",
        "d90_plus": "4000.00",
    }
    assert j["ap_aging"] == {
        "current": "7200.00",
        "d1_30": "1800.00",
        "d31_60": "0.00",
        "d61_90": "0.00",
        "d90_plus": "0.00",
    }
    assert j["ar_open"] == "34500.00" and j["ap_open"] == "9000.00"
    assert j["dso"] == "69.0"  # 34,500 × 90 / 45,000
    assert j["dpo"] == "30.0"  # 9,000 × 90 / 27,000


def test_habits_sentences():
    habits = {h["customer_id"]: h for h in result_json()["habits"]}
    acme = habits["c1"]
    assert (acme["count"], acme["avg_days_to_pay"], acme["avg_days_late"], acme["basis"]) == (
        3,
        "50.0",
        "20.0",
        "customer",
    )
    assert acme["sentence"] == (
        "Acme Outdoor pays in 50 days on average, about 20 days after the due date."
    )
    bolt = habits["c2"]
    # 2 paid invoices: business-wide medians over {20, 10, 30, 4, 6} late, {50, 40, 60, 34, 36}
    assert (bolt["count"], bolt["avg_days_late"], bolt["avg_days_to_pay"], bolt["basis"]) == (
        2,
        "10.0",
        "40.0",
        "business",
    )
    assert "too few to judge" in bolt["sentence"] and "10 days after" in bolt["sentence"]


def test_recurring_series_reported():
    series = result_json()["recurring"]
    assert [(s["key"], s["cadence"], s["amount"], s["occurrences"]) for s in series] == [
        ("name:figma", "monthly", "45.00", 3)
    ]
    assert [p["date"] for p in series[0]["projected"]] == ["2025-03-20", "2025-04-20", "2025-05-20"]


def test_json_contract_keys_and_types():
    j = result_json()
    required = [
        "as_of",
        "currency",
        "cash",
        "reserved",
        "available",
        "daily_burn",
        "runway_days",
        "low_point",
        "cash_zero_week",
        "weeks",
        "ar_aging",
        "ap_aging",
    ]
    assert all(k in j for k in required)
    assert set(j["weeks"][0]) == {
        "week_start",
        "opening",
        "ar_in",
        "ap_out",
        "recurring_out",
        "closing",
    }
    assert (
        set(j["ar_aging"])
        == set(j["ap_aging"])
        == {"current", "d1_30", "d31_60", "d61_90", "d90_plus"}
    )
    # Serialises with the plain json module, and round-trips amounts exactly.
    text = json.dumps(j)
    back = json.loads(text)
    assert D(back["available"]) == D("62000.00")
    assert date.fromisoformat(back["weeks"][1]["week_start"]) == date(2025, 3, 17)


def test_paying_the_overdue_bill_now():
    from apps.runway.engine import PayBillNow, impact

    result = impact(worked_inputs(), AS_OF, PayBillNow("O1"))
    assert result.days == D("-12.0")  # -1,800 / 150.39 = -11.97
    assert result.after.available == D("60200.00")
