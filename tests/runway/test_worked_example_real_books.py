"""DESIGN §4b end to end: the second worked example of docs/runway.md. A company in QBO's wire
format (tests/runway/real_books_company/, one JSON file per entity) → the QBO sandbox → the real
client and sync → `manage.py runway --json`, every figure worked out by hand below.

As of Wednesday 2026-11-25 (weeks start Monday 2026-11-23; burn window 2026-08-27 ≤ d < 11-25;
horizon ends 2027-02-22). Home currency USD; EUR rates 1.05 (10-01), 1.08 (11-20) and 1.20
(11-27, after as of: ignored) → the current EUR rate is 1.08. No CAD rate at all.
- Cash: Checking 60,000.00 + Savings 15,000.00 + Euro Account 10,000.00 EUR × 1.08 = 10,800.00
  → 85,800.00. The Visa card (−1,234.56) and Undeposited Funds (2,500.00) are not cash.
- Burn: Gusto payroll journal entries credit Checking 6,000.00 on 09-04, 09-18, 10-02, 10-16,
  10-30, 11-13 (08-21 is before the window) = 36,000.00; card payments 1,000.00 (09-15,
  CreditCardPayment) + 1,100.00 (10-15, CreditCardPayment) + 900.00 (11-15, a card Purchase
  with Credit whose line is on Checking) = 3,000.00; refund receipt out of Checking 400.00;
  500.00 EUR check from the Euro Account at its own rate 1.0911 = 545.55; bill payment 250.00.
  Total 40,195.55 ÷ 90 = 446.6172… → 446.62 a day. Not burn: the accrual entry (no bank line),
  the 3,000.00 entry Checking → Savings (internal), card purchase 777.00 and card refund 50.00
  (on the card), the sales receipt into Undeposited Funds (money in, and not yet in a bank).
- Runway: 85,800.00 ÷ 446.62 = 192.109… → 192.1 days.
- Recurring: "name:gusto payroll" biweekly at 6,000.00, next 11-27 then every 14 days (12-11,
  12-25, 01-08, 01-22, 02-05, 02-19); the Visa payoff "account:40" monthly on the 15th, median
  1,000.00, first projected 12-15 at the 1,234.56 owed now, then 01-15 and 02-15 at 1,000.00.
- AP: Studio Rent's 700.00 vendor credit absorbs bill 501 (400.00 due 12-01) then 300.00 of
  bill 502 (500.00 due 12-10) → 0.00 and 200.00 in the forecast; aging keeps 400 + 500. Berlin
  Design's 1,000.00 EUR bill (booked at 1.05) is 1,080.00 at the current rate, due 12-03.
- AR: Acme's 5,000.00 due 12-02 (no payment history: expected on its due date). Maple Co's
  2,000.00 CAD invoice: no CAD rate → left out everywhere and flagged currency_rate_missing.
- Weeks: 11-23 −6,000 → 79,800.00; 11-30 +5,000 −1,080 → 83,720.00; 12-07 −200 −6,000 →
  77,520.00; 12-14 −1,234.56 → 76,285.44; 12-21 −6,000 → 70,285.44; 12-28 → 70,285.44; 01-04
  −6,000 → 64,285.44; 01-11 −1,000 → 63,285.44; 01-18 −6,000 → 57,285.44; 01-25 → 57,285.44;
  02-01 −6,000 → 51,285.44; 02-08 → 51,285.44; 02-15 −1,000 −6,000 → 44,285.44.
  Low point 44,285.44 in the week of 02-15; no cash-zero week.
- Aging on 11-25: AR current 5,000.00; AP current 400 + 500 + 1,080 = 1,980.00.
"""

import json
import shutil
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.integrations.sync.qbo_company import start

COMPANY = Path(__file__).parent / "real_books_company"


@pytest.fixture
def synced_real_books(tmp_path: Path, tenant_a):
    directory = tmp_path / "co"
    shutil.copytree(COMPANY, directory)  # the sandbox writes its state back: never to the repo
    sandbox = start(directory)
    try:
        call_command("connect_qbo", "alpha", "--sandbox", sandbox.base_url, stdout=StringIO())
        yield tenant_a
    finally:
        sandbox.stop()


def _runway() -> dict:
    out = StringIO()
    call_command("runway", "alpha", "--as-of", "2026-11-25", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_every_figure_of_the_real_books_example_through_the_sandbox(synced_real_books):
    data = _runway()
    assert data["as_of"] == "2026-11-25" and data["currency"] == "USD"
    assert (data["cash"], data["reserved"], data["available"]) == (
        "85800.00", "0.00", "85800.00")
    accounts = {a["name"]: a for a in data["accounts"]}
    assert accounts["Euro Account"]["balance"] == "10800.00"  # 10,000 EUR × 1.08, not × 1.20
    assert accounts["Visa"]["included"] is False
    assert "Undeposited Funds" not in accounts
    assert data["burn"]["outflow_total"] == "40195.55"
    assert data["burn"]["internal_transfers_excluded"] == "3000.00"
    assert data["daily_burn"] == "446.62"
    assert data["runway_days"] == "192.1"

    series = {s["key"]: s for s in data["recurring"]}
    assert set(series) == {"name:gusto payroll", "account:40"}
    payroll = series["name:gusto payroll"]
    assert (payroll["cadence"], payroll["amount"], payroll["occurrences"]) == (
        "biweekly", "6000.00", 7)
    assert [(p["date"], p["amount"]) for p in payroll["projected"]] == [
        (d, "6000.00") for d in ("2026-11-27", "2026-12-11", "2026-12-25", "2027-01-08",
                                 "2027-01-22", "2027-02-05", "2027-02-19")]
    card = series["account:40"]
    assert (card["counterparty"], card["cadence"], card["amount"], card["occurrences"]) == (
        "Visa", "monthly", "1000.00", 3)
    assert [(p["date"], p["amount"]) for p in card["projected"]] == [
        ("2026-12-15", "1234.56"), ("2027-01-15", "1000.00"), ("2027-02-15", "1000.00")]
    assert data["cards"] == [{
        "identity": "qbo:40", "name": "Visa", "owed": "1234.56",
        "next_payment": {"date": "2026-12-15", "amount": "1234.56"}, "series_key": "account:40",
    }]

    weeks = [(w["week_start"], w["ar_in"], w["ap_out"], w["recurring_out"], w["closing"])
             for w in data["weeks"]]
    assert weeks == [
        ("2026-11-23", "0.00", "0.00", "6000.00", "79800.00"),
        ("2026-11-30", "5000.00", "1080.00", "0.00", "83720.00"),
        ("2026-12-07", "0.00", "200.00", "6000.00", "77520.00"),
        ("2026-12-14", "0.00", "0.00", "1234.56", "76285.44"),
        ("2026-12-21", "0.00", "0.00", "6000.00", "70285.44"),
        ("2026-12-28", "0.00", "0.00", "0.00", "70285.44"),
        ("2027-01-04", "0.00", "0.00", "6000.00", "64285.44"),
        ("2027-01-11", "0.00", "0.00", "1000.00", "63285.44"),
        ("2027-01-18", "0.00", "0.00", "6000.00", "57285.44"),
        ("2027-01-25", "0.00", "0.00", "0.00", "57285.44"),
        ("2027-02-01", "0.00", "0.00", "6000.00", "51285.44"),
        ("2027-02-08", "0.00", "0.00", "0.00", "51285.44"),
        ("2027-02-15", "0.00", "0.00", "7000.00", "44285.44"),
    ]
    assert data["weeks"][0]["opening"] == "85800.00"
    for earlier, later in zip(data["weeks"], data["weeks"][1:], strict=False):
        assert earlier["closing"] == later["opening"]
    assert data["low_point"] == {"amount": "44285.44", "week_start": "2027-02-15"}
    assert data["cash_zero_week"] is None
    assert sorted(data["vendor_credits_applied"].values()) == ["300.00", "400.00"]

    assert data["ar_aging"] == {"current": "5000.00", "d1_30": "0.00", "d31_60": "0.00",
                                "d61_90": "0.00", "d90_plus": "0.00"}
    assert data["ap_aging"] == {"current": "1980.00", "d1_30": "0.00", "d31_60": "0.00",
                                "d61_90": "0.00", "d90_plus": "0.00"}
    assert sum(Decimal(w["ar_in"]) for w in data["weeks"]) == Decimal("5000.00")  # no CAD

    (note,) = data["currency_notes"]
    assert (note["currency"], note["rate"], note["rate_date"], note["items"]) == (
        "EUR", "1.08", "2026-11-20", 2)
    (missing,) = data["flags"]
    assert missing["code"] == "currency_rate_missing"
    assert "Maple Co" in missing["message"] and "2,000.00 CAD" in missing["message"]


def test_what_people_see_of_the_real_books(synced_real_books, owner_a):
    """Dashboard: the card (owed, next payment) and the currency note; payroll offered as a
    recurring series to confirm; bills and invoices in both currencies; the digest's cards.
    (Today is the machine's today, not 11-25: the figures checked here do not depend on it.)"""
    from apps.ap.models import Bill
    from apps.ar.models import Invoice
    from apps.digest.content import digest_build, week_label
    from apps.digest.render import digest_render_text
    from apps.tray.models import TrayItem
    from apps.tray.services import tray_generate
    from tests.utils import client_for, in_tenant

    client = client_for(synced_real_books, owner_a)
    page = client.get("/").content.decode()
    assert 'data-testid="cards"' in page and "$1,234.56" in page
    assert "Amounts in EUR are converted at 1 EUR = 1.2 USD" in page or (
        "1 EUR = 1.08 USD" in page)
    tray_generate(synced_real_books)
    with in_tenant(synced_real_books):
        euro_bill = Bill.objects.get(qbo_id="503")
        cad_invoice = Invoice.objects.get(qbo_id="601")
        assert TrayItem.objects.filter(key="series:name:gusto payroll").exists()
    bill_page = client.get(f"/bills/{euro_bill.pk}/").content.decode()
    assert "€1,000.00" in bill_page and "at 1 EUR = " in bill_page
    invoice_page = client.get(f"/invoices/{cad_invoice.pk}/").content.decode()
    assert "2,000.00" in invoice_page and "no CAD rate yet" in invoice_page
    bills_page = client.get("/bills/").content.decode()
    assert "€1,000.00" in bills_page
    content = digest_build(synced_real_books, week_label(date.today()))
    assert content["runway"]["cards"][0]["owed"] == "1234.56"
    assert content["runway"]["currency_notes"][0]["currency"] == "EUR"
    # Bills due soon at today's rate (the euro bill), the CAD invoice left out of the chase.
    assert any(b["vendor"] == "Berlin Design GmbH" and "$1,050.00" not in b["amount_text"]
               for b in content["bills"])
    assert all(c["customer"] != "Maple Co" for c in content["chase"])
    text = digest_render_text(content)
    assert "Visa owes $1,234.56" in text and "Amounts in EUR are converted" in text
