"""DESIGN §4b in the pure engine: journal entries, cards, refunds, vendor and customer credits,
currencies.
Every expected figure is worked out by hand in the test's comment."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from apps.runway.engine import (
    CurrencyMismatch,
    CustomerCredit,
    ExchangeRate,
    ForeignMovement,
    JournalEntry,
    JournalLine,
    RunwayInputs,
    VendorCredit,
    compute_runway,
    memo_key,
    require_home,
    to_home,
    to_json,
)

from .engine_helpers import bank, bill, inv, out

D = Decimal
AS_OF = date(2026, 11, 25)  # a Wednesday; weeks start Monday 11-23; burn window 08-27 … 11-24


def payroll(day: date, net: str, account: str = "chk", memo: str | None = None) -> JournalEntry:
    # A Gusto run: only the bank line moves cash (wages/tax lines are on other accounts).
    return JournalEntry(
        f"je-{day}", day, memo or f"Gusto payroll {day:%m/%d/%Y}",
        (JournalLine(account, "Credit", D(net)),),
    )


def test_memo_keys_fold_case_and_drop_digits_and_punctuation():
    assert memo_key("Gusto payroll 09/04/2026") == "name:gusto payroll"
    assert memo_key("GUSTO  Payroll — 10/02") == "name:gusto payroll"
    assert memo_key("") == memo_key("12/31/2026") == "name:journal entry"


def test_payroll_entries_are_burn_and_one_biweekly_series():
    # Fridays 2 weeks apart from 08-28 to 11-20: 7 runs × 4,000.00 = 28,000.00 in the window
    # → 311.11 a day (28,000 ÷ 90 = 311.111…). Next run 12-04 (week of 11-30), then every 14 days.
    runs = tuple(payroll(date(2026, 8, 28) + timedelta(days=14 * i), "4000.00") for i in range(7))
    accrual = JournalEntry("je-accrual", date(2026, 10, 31), "Accrued bonus", ())  # no bank line
    inputs = RunwayInputs(accounts=(bank("chk", "100000.00"),), journal_entries=runs + (accrual,))
    data = to_json(compute_runway(inputs, AS_OF))
    assert data["daily_burn"] == "311.11"
    (series,) = data["recurring"]
    assert (series["key"], series["cadence"], series["amount"]) == (
        "name:gusto payroll", "biweekly", "4000.00")
    assert series["counterparty"] == "Gusto payroll"
    assert [p["date"] for p in series["projected"]][:2] == ["2026-12-04", "2026-12-18"]
    weeks = {w["week_start"]: w for w in data["weeks"]}
    assert weeks["2026-11-30"]["recurring_out"] == "4000.00"
    assert weeks["2026-11-23"]["recurring_out"] == "0.00"


def test_journal_entry_between_runway_accounts_is_internal_and_other_lines_move_no_cash():
    internal = JournalEntry("je-1", date(2026, 10, 1), "Move to savings", (
        JournalLine("chk", "Credit", D("2000.00")), JournalLine("sav", "Debit", D("2000.00"))))
    to_excluded = JournalEntry("je-2", date(2026, 10, 2), "To the tax account", (
        JournalLine("chk", "Credit", D("900.00")), JournalLine("tax", "Debit", D("900.00"))))
    money_in = JournalEntry("je-3", date(2026, 10, 3), "Owner loan", (
        JournalLine("chk", "Debit", D("5000.00")),))
    vendor_line = JournalEntry("je-4", date(2026, 10, 4), "", (
        JournalLine("chk", "Credit", D("450.00"), "vendor:56", "SaaS Co"),))
    inputs = RunwayInputs(
        accounts=(bank("chk", "50000.00"), bank("sav", "1000.00"),
                  bank("tax", "0.00", included=False)),
        journal_entries=(internal, to_excluded, money_in, vendor_line),
    )
    result = compute_runway(inputs, AS_OF)
    # Burn: 900 (to an account outside runway) + 450 = 1,350.00 ÷ 90 = 15.00; 2,000 internal.
    assert result.daily_burn == D("15.00")
    assert result.burn.internal_transfers == D("2000.00")
    keys = {o.counterparty_id for o in result.burn.outflows}
    assert keys == {"name:to the tax account", "vendor:56"}


def test_card_owed_and_its_payoff_series_first_payment_at_the_amount_owed():
    # Paid on the 15th from checking: 1,000 / 1,100 / 900 → monthly, median 1,000.00. The card
    # owes 1,234.56 now (CurrentBalance −1,234.56): the 12-15 payment is 1,234.56, 01-15 and
    # 02-15 are 1,000.00 each. Card purchases (on the card account) never burn.
    pays = tuple(
        out(date(2026, m, 15), amt, "chk", kind="card_payment", who="Visa", who_id="account:40",
            to="cc")
        for m, amt in ((9, "1000.00"), (10, "1100.00"), (11, "900.00"))
    )
    spend = out(date(2026, 11, 2), "777.00", "cc", who="Airline")
    inputs = RunwayInputs(
        accounts=(bank("chk", "30000.00"), bank("cc", "-1234.56", kind="credit_card", name="Visa")),
        movements=pays + (spend,),
    )
    data = to_json(compute_runway(inputs, AS_OF))
    assert data["cash"] == "30000.00"
    assert data["daily_burn"] == "33.33"  # 3,000.00 ÷ 90
    (series,) = data["recurring"]
    assert series["key"] == "account:40" and series["amount"] == "1000.00"
    assert [(p["date"], p["amount"]) for p in series["projected"]] == [
        ("2026-12-15", "1234.56"), ("2027-01-15", "1000.00"), ("2027-02-15", "1000.00")]
    assert data["cards"] == [{"identity": "cc", "name": "Visa", "owed": "1234.56",
                              "next_payment": {"date": "2026-12-15", "amount": "1234.56"},
                              "series_key": "account:40"}]


def test_a_card_in_credit_owes_nothing():
    inputs = RunwayInputs(accounts=(bank("cc", "25.00", kind="credit_card"),))
    (card,) = compute_runway(inputs, AS_OF).cards
    assert card.owed == D("0") and card.next_payment_date is None


def test_vendor_credit_spans_two_bills_earliest_first_and_aging_keeps_bill_balances():
    # Credit 700 from vendor v1: bill B1 (400, due 11-30) absorbs 400, B2 (500, due 12-10)
    # absorbs 300 → 200 left to pay; other vendors' bills are untouched.
    bills = (bill("B2", date(2026, 12, 10), "500.00"), bill("B1", date(2026, 11, 30), "400.00"),
             bill("X1", date(2026, 12, 1), "250.00", vendor="v2", name="Other"))
    credit = VendorCredit("VC1", "v1", "Rent Co", date(2026, 11, 1), D("700.00"))
    inputs = RunwayInputs(accounts=(bank("chk", "10000.00"),), open_bills=bills,
                          vendor_credits=(credit,))
    data = to_json(compute_runway(inputs, AS_OF))
    weeks = {w["week_start"]: w for w in data["weeks"]}
    assert weeks["2026-11-30"]["ap_out"] == "250.00"  # B1 0.00 + X1 250.00
    assert weeks["2026-12-07"]["ap_out"] == "200.00"
    assert data["vendor_credits_applied"] == {"B1": "400.00", "B2": "300.00"}
    assert data["ap_aging"]["current"] == "1150.00"


def test_vendor_credit_larger_than_the_bills_never_goes_below_zero():
    inputs = RunwayInputs(open_bills=(bill("B1", date(2026, 12, 1), "100.00"),),
                          vendor_credits=(VendorCredit("VC", "v1", "Rent", AS_OF, D("999.00")),))
    result = compute_runway(inputs, AS_OF)
    assert sum(w.ap_out for w in result.weeks) == D("0.00")


def test_customer_credits_lower_the_customer_s_invoices_oldest_first():
    # Customer c1 has a credit memo of 300 and an unapplied payment of 500 (its cash is already
    # in the bank): 800 of credit. Its invoices, oldest due first: I-old (200, due 07-01, 147
    # days late: left out as doubtful, absorbs 200), I1 (400, due 11-30, absorbs 400), I2 (700,
    # due 12-10, absorbs 200 → 500 still expected). c2's invoice is untouched. Expected AR in:
    # 0 + 0 + 500 + 250 = 750 (it was 1,350: the 800 counted once in cash, again as income).
    invoices = (inv("I2", date(2026, 12, 10), "700.00"), inv("I1", date(2026, 11, 30), "400.00"),
                inv("I-old", date(2026, 7, 1), "200.00"),
                inv("X1", date(2026, 12, 1), "250.00", customer="c2", name="Other"))
    credits = (
        CustomerCredit("credit_memo:1", "c1", "Acme Outdoor", "credit_memo", date(2026, 11, 2),
                       D("300.00")),
        CustomerCredit("payment:7", "c1", "Acme Outdoor", "payment", date(2026, 11, 20),
                       D("500.00")),
    )
    inputs = RunwayInputs(accounts=(bank("chk", "10000.00"),), open_invoices=invoices,
                          customer_credits=credits)
    data = to_json(compute_runway(inputs, AS_OF))
    assert data["customer_credits_applied"] == {"I-old": "200.00", "I1": "400.00",
                                                "I2": "200.00"}
    assert sum(D(w["ar_in"]) for w in data["weeks"]) == D("750.00")
    weeks = {w["week_start"]: w for w in data["weeks"]}
    assert weeks["2026-11-30"]["ar_in"] == "250.00"  # I1 absorbed, X1 250
    assert weeks["2026-12-07"]["ar_in"] == "500.00"  # I2's 700 less 200
    assert data["ar_aging"]["current"] == "1350.00"  # aging keeps QBO's open balances
    assert [f["ref"] for f in data["flags"] if f["code"] == "invoice_doubtful"] == ["I-old"]
    # More credit than invoices: nothing is expected, never less than nothing.
    rich = replace(inputs, customer_credits=(replace(credits[1], balance=D("9999.00")),))
    assert sum(w.ar_in for w in compute_runway(rich, AS_OF).weeks) == D("250.00")


def test_a_foreign_customer_credit_is_converted_at_the_current_rate():
    # A CAD credit memo of 1,000 at 0.72 = 720.00 home, against a CAD invoice of 2,000 (1,440).
    rates = (ExchangeRate("CAD", D("0.72"), date(2026, 11, 1)),)
    cad = replace(inv("CAD1", date(2026, 12, 1), "2000.00", customer="c9", name="Maple"),
                  currency="CAD")
    memo = CustomerCredit("credit_memo:3", "c9", "Maple", "credit_memo", date(2026, 11, 3),
                          D("1000.00"), "CAD")
    inputs = to_home(RunwayInputs(open_invoices=(cad,), customer_credits=(memo,), rates=rates),
                     AS_OF)
    data = to_json(compute_runway(inputs, AS_OF))
    assert data["customer_credits_applied"] == {"CAD1": "720.00"}
    assert sum(D(w["ar_in"]) for w in data["weeks"]) == D("720.00")  # 1,440 − 720
    with pytest.raises(CurrencyMismatch):
        require_home(RunwayInputs(customer_credits=(memo,)))


EUR_RATES = (
    ExchangeRate("EUR", D("1.05"), date(2026, 11, 1)),
    ExchangeRate("EUR", D("1.0823"), date(2026, 11, 20)),  # current on 11-25
    ExchangeRate("EUR", D("1.50"), date(2026, 11, 26)),  # later: ignored
)


def test_euro_balance_and_bill_at_the_current_rate_and_a_later_rate_ignored():
    # 10,000.00 EUR × 1.0823 = 10,823.00; bill 1,234.57 EUR × 1.0823 = 1,336.176…→ 1,336.18.
    eur = bank("eur", "10000.00", name="Euro account")
    eur = replace(eur, currency="EUR")
    euro_bill = bill("EB", date(2026, 12, 1), "1234.57")
    euro_bill = replace(euro_bill, currency="EUR")
    inputs = RunwayInputs(accounts=(bank("chk", "1000.00"), eur), open_bills=(euro_bill,),
                          rates=EUR_RATES)
    data = to_json(compute_runway(inputs, AS_OF))
    assert data["cash"] == "11823.00"
    assert data["ap_aging"]["current"] == "1336.18"
    assert data["currency_notes"][0]["rate"] == "1.0823"
    assert data["currency_notes"][0]["rate_date"] == "2026-11-20"
    assert data["currency_notes"][0]["items"] == 2


def test_movement_at_its_own_rate_and_missing_rate_left_out_and_flagged():
    # A 500.00 EUR purchase on 11-10 at its own 1.0911 → 545.55 of burn (6.06 a day: 545.55 ÷
    # 90 = 6.0616…). A 2,000.00 CAD invoice without any CAD rate: left out, flagged.
    spend = ForeignMovement(out(date(2026, 11, 10), "500.00", "chk"), "EUR", D("1.0911"))
    cad = inv("CAD1", date(2026, 12, 1), "2000.00", customer="c9", name="Maple")
    cad = replace(cad, currency="CAD")
    inputs = RunwayInputs(accounts=(bank("chk", "1000.00"),), foreign_movements=(spend,),
                          open_invoices=(cad,), rates=EUR_RATES)
    data = to_json(compute_runway(inputs, AS_OF))
    assert data["burn"]["outflow_total"] == "545.55"
    assert data["daily_burn"] == "6.06"
    assert data["ar_aging"] == {k: "0.00" for k in data["ar_aging"]}
    (flag,) = [f for f in data["flags"] if f["code"] == "currency_rate_missing"]
    assert flag["ref"] == "CAD1" and "2,000.00 CAD" in flag["message"]


def test_unconverted_foreign_money_is_refused():
    eur = bank("eur", "10.00")
    eur = replace(eur, currency="EUR")
    with pytest.raises(CurrencyMismatch):
        require_home(RunwayInputs(accounts=(eur,)))
    converted = to_home(RunwayInputs(accounts=(eur,)), AS_OF)  # no rate: left out
    require_home(converted)
    assert converted.accounts == () and converted.conversion.flags[0].code == (
        "currency_rate_missing")


def test_a_linked_bank_feed_still_replaces_qbo_movements_for_its_account():
    # Checking has a confirmed feed: QBO's payroll journal entries and card payment on it are
    # not read (the feed's own rows are the truth), Savings (QBO only) still counts its refund.
    runs = tuple(payroll(date(2026, 10, 2) + timedelta(days=14 * i), "4000.00", "qbo-chk")
                 for i in range(4))
    inputs = RunwayInputs(
        accounts=(bank("qbo-chk", "50000.00", linked="chk"),
                  bank("feed-chk", "50000.00", linked="chk", source="bank_feed"),
                  bank("sav", "1000.00")),
        movements=(
            out(date(2026, 10, 2), "3999.00", "feed-chk", kind="payroll", who="GUSTO",
                source="bank_feed"),
            out(date(2026, 10, 15), "900.00", "qbo-chk", kind="card_payment",
                who_id="account:40", to="cc"),
            out(date(2026, 11, 10), "120.00", "sav", kind="refund", who_id="customer:7"),
        ),
        journal_entries=runs,
    )
    result = compute_runway(inputs, AS_OF)
    assert result.burn.outflow_total == D("4119.00")  # 3,999 from the feed + 120 refund
    assert {o.counterparty_id for o in result.burn.outflows} == {None, "customer:7"}
