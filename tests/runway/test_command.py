"""`manage.py runway` over real rows: every figure of the JSON checked by hand (see the comments
and docs/runway.md "How the numbers are fed")."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from apps.bank.models import Account
from apps.runway.cache import runway_invalidate
from apps.runway.services import runway_compute
from tests.runway import books as b
from tests.utils import in_tenant

AS_OF = date(2025, 3, 12)  # a Wednesday; week 1 = Mon 03-10 … Sun 03-16
WEEKS = [
    "2025-03-10", "2025-03-17", "2025-03-24", "2025-03-31", "2025-04-07", "2025-04-14",
    "2025-04-21", "2025-04-28", "2025-05-05", "2025-05-12", "2025-05-19", "2025-05-26",
    "2025-06-02",
]


@pytest.fixture(autouse=True)
def _fresh_cache(tenant_a):
    runway_invalidate(tenant_a)


def run(*args: str) -> str:
    out = StringIO()
    call_command("runway", *args, stdout=out)
    return out.getvalue()


def build_books() -> None:
    d = date
    op = b.account("35", "Operating", "40000.00")
    sav = b.account("36", "Savings", "10000.00")
    escrow = b.account("37", "Payroll escrow", "2000.00", included=False)
    card = b.account("41", "Amex", "1500.00", kind=Account.Type.CREDIT_CARD)
    b.account("99", "Old checking", "7777.00", active=False)
    # Cash = 40,000 + 10,000 = 50,000 (excluded escrow, card and inactive account don't count).
    b.reserve("Taxes", "6000.00")
    b.reserve("Closed", "500.00", active=False)
    # Reserved 6,000 → Available 44,000.

    rent, supplies, v52, v53, v54 = (
        b.vendor("50", "Rent Co"), b.vendor("51", "Acme Supplies"), b.vendor("52", "Printer"),
        b.vendor("53", "Lawyers LLP"), b.vendor("54", "Old Vendor"),
    )
    figma = b.vendor("77", "Figma")
    # Burn window: 2024-12-12 ≤ d < 2025-03-12.
    b.bill_payment(op, d(2024, 12, 11), "1000.00", rent)  # day before the window: not counted
    b.bill_payment(op, d(2024, 12, 12), "2000.00", rent)  # first day: counted
    b.purchase(op, d(2025, 3, 11), "300.00", who="Cafe")  # last day: counted
    b.purchase(op, d(2025, 3, 12), "400.00", who="Lunch")  # today: not counted
    b.transfer(op, sav, d(2025, 2, 1), "5000.00")  # between runway accounts: excluded
    b.transfer(op, escrow, d(2025, 2, 15), "3000.00")  # to an excluded account: counted
    b.purchase(card, d(2025, 2, 20), "800.00", who="Hotel")  # card expense: not cash
    b.transfer(op, card, d(2025, 3, 1), "1200.00")  # card payoff from the bank: counted
    b.purchase(op, d(2025, 3, 5), "250.00", who="Refund", credit=True)  # money in: ignored
    b.purchase(op, d(2025, 3, 2), "999.00", who="Oops", deleted=True)  # deleted in QBO
    b.purchase(escrow, d(2025, 3, 3), "2500.00", who="Payroll")  # excluded account
    for day in (d(2024, 12, 20), d(2025, 1, 20), d(2025, 2, 20)):  # Figma, monthly on the 20th
        b.purchase(op, day, "99.00", who="Figma", who_id="77")
    # Counted: 2,000 + 300 + 3,000 + 1,200 + 3 × 99 = 6,797 → 6,797 / 90 = 75.5222 → 75.52/day;
    # runway 44,000 / 75.52 = 582.63 → 582.6 days.

    acme, bolt, cora = b.customer("1", "Acme"), b.customer("2", "Bolt"), b.customer("3", "Cora")
    # Habit window: paid 2023-03-13 ≤ d < 2025-03-12.
    b.paid_invoice(acme, d(2022, 11, 1), d(2022, 12, 1), d(2023, 3, 12))  # paid 1 day too early
    b.paid_invoice(acme, d(2024, 10, 1), d(2024, 10, 31), d(2024, 11, 20))  # 20 late
    b.paid_invoice(acme, d(2024, 11, 1), d(2024, 12, 1), d(2024, 12, 11))  # 10 late
    b.paid_invoice(acme, d(2024, 12, 1), d(2024, 12, 31), d(2025, 1, 30))  # 30 late → Acme 20
    b.paid_invoice(bolt, d(2025, 1, 1), d(2025, 1, 31), d(2025, 2, 4))  # 4 late
    b.paid_invoice(bolt, d(2025, 1, 15), d(2025, 2, 14), d(2025, 2, 20))  # 6 late
    # Bolt has 2 (< 3) and Cora none: business median of {20, 10, 30, 4, 6} = 10 days late.

    b.invoice(acme, d(2025, 2, 1), d(2025, 3, 1), "12000.00")  # +20 → Fri 03-21: week 2
    b.invoice(acme, d(2025, 1, 1), d(2025, 2, 1), "3000.00")  # +20 → 02-21, before today: wk 1
    b.invoice(bolt, d(2024, 11, 1), d(2024, 12, 1), "4000.00")  # 101 days past due: left out
    b.invoice(bolt, d(2025, 2, 14), d(2025, 3, 6), "6000.00", total="10000.00")  # partly paid;
    #   +10 → Sunday 03-16: still week 1
    b.invoice(cora, d(2025, 3, 1), d(2025, 3, 7), "2500.00")  # +10 → Monday 03-17: week 2
    b.invoice(cora, d(2025, 3, 1), d(2025, 4, 15), "1000.00", expected=d(2025, 4, 2))  # wk 4
    b.invoice(acme, d(2025, 3, 12), d(2025, 8, 1), "7000.00")  # 08-21: beyond week 13
    b.invoice(acme, d(2025, 3, 1), d(2025, 3, 1), "9999.00", deleted=True)

    b.bill(rent, d(2025, 1, 21), d(2025, 2, 20), "1800.00")  # overdue → today, week 1
    b.bill(supplies, d(2025, 2, 15), d(2025, 3, 17), "2000.00", total="5000.00")  # partly paid
    b.bill(v52, d(2025, 2, 14), d(2025, 3, 14), "700.00", scheduled=d(2025, 3, 28))  # week 3
    b.bill(v53, d(2025, 3, 2), d(2025, 4, 1), "4500.00")  # week 4
    b.bill(v54, d(2024, 9, 1), d(2024, 10, 1), "900.00")  # 162 days overdue → today
    b.bill(figma, d(2025, 3, 10), d(2025, 4, 18), "99.00")  # covers Figma's 04-20 payment
    b.bill(rent, d(2025, 1, 10), d(2025, 2, 10), "0.00", total="500.00")  # paid: not open


def test_worked_example_json(tenant_a):
    with in_tenant(tenant_a):
        build_books()
    data = json.loads(run("alpha", "--as-of", "2025-03-12", "--json"))

    assert data["as_of"] == "2025-03-12"
    assert data["currency"] == "USD"
    assert data["cash"] == "50000.00"
    assert data["reserved"] == "6000.00"
    assert data["available"] == "44000.00"
    assert data["daily_burn"] == "75.52"
    assert data["runway_days"] == "582.6"
    assert data["burn"]["outflow_total"] == "6797.00"
    assert data["burn"]["internal_transfers_excluded"] == "5000.00"
    assert data["burn"]["window_start"] == "2024-12-12"

    expected = {  # week: (ar_in, ap_out, recurring_out, closing)
        "2025-03-10": ("9000.00", "2700.00", "0.00", "50300.00"),
        "2025-03-17": ("14500.00", "2000.00", "99.00", "62701.00"),
        "2025-03-24": ("0.00", "700.00", "0.00", "62001.00"),
        "2025-03-31": ("1000.00", "4500.00", "0.00", "58501.00"),
        "2025-04-07": ("0.00", "0.00", "0.00", "58501.00"),
        "2025-04-14": ("0.00", "99.00", "0.00", "58402.00"),  # Figma's bill, not its series
        "2025-05-19": ("0.00", "0.00", "99.00", "58303.00"),
    }
    assert [w["week_start"] for w in data["weeks"]] == WEEKS
    opening = "44000.00"
    closing = "44000.00"
    for w in data["weeks"]:
        assert w["opening"] == opening
        ar, ap, rec, closing = expected.get(w["week_start"], ("0.00", "0.00", "0.00", closing))
        assert (w["ar_in"], w["ap_out"], w["recurring_out"], w["closing"]) == (ar, ap, rec, closing)
        opening = closing
    assert data["weeks"][-1]["closing"] == "58303.00"
    assert data["low_point"] == {"amount": "44000.00", "week_start": "2025-03-10"}
    assert data["cash_zero_week"] is None
    assert data["beyond_horizon"] == {"ar_in": "7000.00", "ap_out": "0.00"}

    assert data["ar_aging"] == {
        "current": "8000.00", "d1_30": "20500.00", "d31_60": "3000.00", "d61_90": "0.00",
        "d90_plus": "4000.00",
    }
    assert data["ap_aging"] == {
        "current": "7299.00", "d1_30": "1800.00", "d31_60": "0.00", "d61_90": "0.00",
        "d90_plus": "900.00",
    }
    # Issued in the trailing 90 days: invoices 30,500, bills 12,599.
    assert data["dso"] == "104.8"  # 35,500 × 90 / 30,500
    assert data["dpo"] == "71.4"  # 9,999 × 90 / 12,599

    habits = {h["customer_name"]: h for h in data["habits"]}
    assert habits["Acme"]["count"] == 3
    assert habits["Acme"]["avg_days_late"] == "20.0"
    assert habits["Acme"]["avg_days_to_pay"] == "50.0"
    assert habits["Bolt"]["basis"] == "business"
    assert habits["Bolt"]["avg_days_late"] == "10.0"
    codes = {(f["code"], f["amount"]) for f in data["flags"]}
    assert ("invoice_doubtful", "4000.00") in codes
    assert ("bill_overdue", "1800.00") in codes
    assert ("bill_overdue", "900.00") in codes
    [figma] = [s for s in data["recurring"] if s["key"] == "vendor:77"]
    assert figma["cadence"] == "monthly" and figma["amount"] == "99.00"
    assert [p["date"] for p in figma["projected"] if not p["covered_by_bill"]] == [
        "2025-03-20", "2025-05-20",
    ]
    accounts = {a["name"]: a for a in data["accounts"]}
    assert accounts["Payroll escrow"]["included"] is False
    assert accounts["Amex"]["kind"] == "credit_card" and not accounts["Amex"]["included"]
    assert "Old checking" not in accounts


def test_worked_example_table(tenant_a):
    with in_tenant(tenant_a):
        build_books()
    text = run("alpha", "--as-of", "2025-03-12")
    assert "Runway of Alpha Studio as of 2025-03-12 (USD)" in text
    assert "$44,000.00" in text and "$75.52" in text and "582.6 days" in text
    assert "2025-05-19" in text and "$58,303.00" in text
    assert "Cash-zero week" in text and "none" in text
    assert "90+" in text


def test_no_burn_sunday_and_cash_zero_week(tenant_a):
    """A Sunday as-of belongs to the week that began on Monday; no outflows → no burn."""
    with in_tenant(tenant_a):
        b.account("35", "Operating", "1000.00")
        hosting = b.vendor("60", "Hosting")
        b.bill(hosting, date(2025, 3, 1), date(2025, 3, 16), "300.00")  # due today (Sunday)
        b.bill(hosting, date(2025, 3, 1), date(2025, 3, 17), "3000.00")  # Monday: week 2
    data = json.loads(run("alpha", "--as-of", "2025-03-16", "--json"))
    assert data["daily_burn"] == "0.00"
    assert data["runway_days"] is None
    assert data["weeks"][0]["week_start"] == "2025-03-10"
    assert data["weeks"][0]["ap_out"] == "300.00"
    assert data["weeks"][0]["closing"] == "700.00"
    assert data["weeks"][1]["closing"] == "-2300.00"
    assert data["low_point"] == {"amount": "-2300.00", "week_start": "2025-03-17"}
    assert data["cash_zero_week"] == "2025-03-17"
    text = run("alpha", "--as-of", "2025-03-16")
    assert "no burn" in text
    assert "2025-03-17" in text


def test_today_is_the_business_local_date(tenant_a):
    result = runway_compute(tenant_a)
    assert result.as_of == datetime.now(ZoneInfo("America/Los_Angeles")).date()


def test_bad_arguments():
    with pytest.raises(CommandError, match="no business"):
        run("nope")
    with pytest.raises(CommandError, match="--as-of"):
        run("alpha", "--as-of", "12/03/2025")
