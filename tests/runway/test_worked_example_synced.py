"""DESIGN §4 end to end: a small company in QBO's wire format → the QBO sandbox → the real
client and sync → `manage.py runway --json`, with every figure worked out by hand below.

As of Wednesday 2026-11-25 (weeks start Monday 2026-11-23; burn window 2026-08-27 ≤ d < 11-25).
- Cash: Checking 50,000.00 + Savings 20,000.00 = 70,000.00 (the card is not cash); no reserves,
  so available = 70,000.00.
- Burn: bill payment 500.00 (10-15) + check 1,300.00 on 08-27 (first day of the window) = 1,800.00
  ÷ 90 = 20.00 a day. Left out: a check on 08-26 (before the window), a check on 11-25 (as of is
  not in the window), a card purchase (not a runway account), a transfer checking → savings
  (between runway accounts). Runway = 70,000 ÷ 20 = 3,500.0 days.
- Habits: Acme paid 3 invoices 10, 20 and 30 days late → 20; Newco paid 1 (5 days late), fewer
  than 3 → the business-wide median of 5, 10, 20, 30 = 15.
- AR in: Acme's 10,000.00 due 11-20 expected 11-20 + 20 = 12-10 → week of 12-07; Newco's
  2,000.00 due 11-30 expected 12-15 → week of 12-14; Oldco's 3,000.00 due 08-01 is 116 days past
  due → left out of the forecast and flagged (still in AR aging 90+).
- AP out: bill 101 (500.00, due 10-31) and bill 102 (700.00 left of 1,200.00, due 10-15) are
  overdue → today, week of 11-23 = 1,200.00; bill 104 (600.00 due 12-09) → week of 12-07.
- Weeks: 11-23 closes 70,000 − 1,200 = 68,800; 12-07 closes 68,800 + 10,000 − 600 = 78,200;
  12-14 closes 80,200. Low point = 68,800.00 in the week of 11-23.
- Aging (days past due on 11-25): AR current 2,000 / 1–30 10,000 / 90+ 3,000;
  AP current 600 / 1–30 500 (25 days) / 31–60 700 (41 days).
"""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.integrations.sync.qbo_company import start

META = {"CreateTime": "2026-11-20T10:00:00-08:00", "LastUpdatedTime": "2026-11-20T10:00:00-08:00"}


def obj(qbo_id, **fields):
    return {"Id": qbo_id, "SyncToken": "0", "MetaData": META, **fields}


def ref(value, name=""):
    return {"value": value, "name": name} if name else {"value": value}


def expense(amount):
    return [{"Amount": amount, "DetailType": "AccountBasedExpenseLineDetail",
             "AccountBasedExpenseLineDetail": {"AccountRef": ref("7", "Software")}}]


def paid_invoice(qbo_id, customer, txn, due, total):
    return obj(qbo_id, CustomerRef=ref(customer), TxnDate=txn, DueDate=due, TotalAmt=total,
               Balance=0)


def payment(qbo_id, customer, day, amount, invoice):
    return obj(qbo_id, CustomerRef=ref(customer), TxnDate=day, TotalAmt=amount, UnappliedAmt=0,
               DepositToAccountRef=ref("35"),
               Line=[{"Amount": amount, "LinkedTxn": [{"TxnId": invoice, "TxnType": "Invoice"}]}])


def company() -> dict:
    return {
        "CompanyInfo": [obj("1", CompanyName="Worked Example LLC", Country="US")],
        "Preferences": [obj("1", CurrencyPrefs={"HomeCurrency": ref("USD")})],
        "Account": [
            obj("35", Name="Checking", AccountType="Bank", CurrentBalance=50000.00, Active=True),
            obj("36", Name="Savings", AccountType="Bank", CurrentBalance=20000.00, Active=True),
            obj("40", Name="Visa", AccountType="Credit Card", CurrentBalance=-250.00,
                Active=True),
            obj("7", Name="Software", AccountType="Expense", Active=True),
        ],
        "Vendor": [obj("56", DisplayName="SaaS Co", Active=True),
                   obj("57", DisplayName="Rent LLC", Active=True)],
        "Customer": [obj("58", DisplayName="Acme", Active=True),
                     obj("59", DisplayName="Newco", Active=True),
                     obj("60", DisplayName="Oldco", Active=True)],
        "Bill": [
            obj("101", VendorRef=ref("56"), TxnDate="2026-10-01", DueDate="2026-10-31",
                TotalAmt=500.00, Balance=500.00, Line=expense(500.00)),
            obj("102", VendorRef=ref("57"), TxnDate="2026-09-15", DueDate="2026-10-15",
                TotalAmt=1200.00, Balance=700.00, Line=expense(1200.00)),
            obj("104", VendorRef=ref("56"), TxnDate="2026-11-09", DueDate="2026-12-09",
                TotalAmt=600.00, Balance=600.00, Line=expense(600.00)),
        ],
        "BillPayment": [
            obj("301", VendorRef=ref("57"), PayType="Check", TxnDate="2026-10-15",
                TotalAmt=500.00, CheckPayment={"BankAccountRef": ref("35")},
                Line=[{"Amount": 500.00, "LinkedTxn": [{"TxnId": "102", "TxnType": "Bill"}]}]),
        ],
        "Purchase": [
            obj("401", PaymentType="Check", AccountRef=ref("35"), TxnDate="2026-08-27",
                TotalAmt=1300.00, Line=expense(1300.00)),
            obj("402", PaymentType="Check", AccountRef=ref("35"), TxnDate="2026-08-26",
                TotalAmt=999.00, Line=expense(999.00)),
            obj("403", PaymentType="Check", AccountRef=ref("35"), TxnDate="2026-11-25",
                TotalAmt=100.00, Line=expense(100.00)),
            obj("404", PaymentType="CreditCard", AccountRef=ref("40"), TxnDate="2026-11-02",
                TotalAmt=250.00, Line=expense(250.00)),
        ],
        "Transfer": [obj("501", FromAccountRef=ref("35"), ToAccountRef=ref("36"),
                         TxnDate="2026-10-01", Amount=2000.00)],
        "Invoice": [
            paid_invoice("201", "58", "2026-06-01", "2026-07-01", 4000.00),
            paid_invoice("202", "58", "2026-07-01", "2026-07-31", 4000.00),
            paid_invoice("203", "58", "2026-08-01", "2026-08-31", 4000.00),
            paid_invoice("204", "59", "2026-08-11", "2026-09-10", 1500.00),
            obj("205", CustomerRef=ref("58"), TxnDate="2026-10-21", DueDate="2026-11-20",
                TotalAmt=10000.00, Balance=10000.00),
            obj("206", CustomerRef=ref("59"), TxnDate="2026-10-31", DueDate="2026-11-30",
                TotalAmt=2000.00, Balance=2000.00),
            obj("207", CustomerRef=ref("60"), TxnDate="2026-07-02", DueDate="2026-08-01",
                TotalAmt=3000.00, Balance=3000.00),
        ],
        "Payment": [
            payment("601", "58", "2026-07-11", 4000.00, "201"),
            payment("602", "58", "2026-08-20", 4000.00, "202"),
            payment("603", "58", "2026-09-30", 4000.00, "203"),
            payment("604", "59", "2026-09-15", 1500.00, "204"),
        ],
    }


@pytest.fixture
def synced_example(tmp_path: Path, tenant_a):
    directory = tmp_path / "co"
    directory.mkdir()
    for entity, rows in company().items():
        (directory / f"{entity}.json").write_text(json.dumps({entity: rows}))
    sandbox = start(directory)
    try:
        call_command("connect_qbo", "alpha", "--sandbox", sandbox.base_url, stdout=StringIO())
        yield tenant_a
    finally:
        sandbox.stop()


def test_every_figure_of_the_worked_example_through_the_sandbox(synced_example):
    out = StringIO()
    call_command("runway", "alpha", "--as-of", "2026-11-25", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of"] == "2026-11-25" and data["currency"] == "USD"
    assert (data["cash"], data["reserved"], data["available"]) == (
        "70000.00", "0.00", "70000.00"
    )
    assert data["daily_burn"] == "20.00"
    assert data["runway_days"] == "3500.0"
    weeks = {w["week_start"]: w for w in data["weeks"]}
    assert len(weeks) == 13 and data["weeks"][0]["week_start"] == "2026-11-23"
    assert weeks["2026-11-23"] == {
        "week_start": "2026-11-23", "opening": "70000.00", "ar_in": "0.00",
        "ap_out": "1200.00", "recurring_out": "0.00", "closing": "68800.00",
    }
    assert (weeks["2026-12-07"]["ar_in"], weeks["2026-12-07"]["ap_out"]) == ("10000.00", "600.00")
    assert weeks["2026-12-07"]["closing"] == "78200.00"
    assert (weeks["2026-12-14"]["ar_in"], weeks["2026-12-14"]["closing"]) == ("2000.00", "80200.00")
    for earlier, later in zip(data["weeks"], data["weeks"][1:], strict=False):
        assert earlier["closing"] == later["opening"]
    assert sum(Decimal(w["ar_in"]) for w in data["weeks"]) == Decimal("12000.00")  # no Oldco
    assert data["low_point"] == {"amount": "68800.00", "week_start": "2026-11-23"}
    assert data["cash_zero_week"] is None
    assert data["ar_aging"] == {"current": "2000.00", "d1_30": "10000.00", "d31_60": "0.00",
                                "d61_90": "0.00", "d90_plus": "3000.00"}
    assert data["ap_aging"] == {"current": "600.00", "d1_30": "500.00", "d31_60": "700.00",
                                "d61_90": "0.00", "d90_plus": "0.00"}
    habits = {h["customer_name"]: h for h in data["habits"]}
    assert habits["Acme"]["avg_days_late"] == "20.0" and habits["Acme"]["count"] == 3
    assert habits["Acme"]["avg_days_to_pay"] == "50.0"  # 40, 50 and 60 days after the invoice
    assert "Acme pays in 50 days on average" in habits["Acme"]["sentence"]
    assert habits["Newco"]["basis"] != habits["Acme"]["basis"]  # the business-wide fallback
    doubtful = [f for f in data["flags"] if f["amount"] == "3000.00"]
    assert len(doubtful) == 1, data["flags"]
    assert data["recurring"] == []
