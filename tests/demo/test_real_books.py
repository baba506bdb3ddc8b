"""The real-books demo profile (DESIGN §4b): Gusto payroll as journal entries, a card paid by
CreditCardPayment and by Credit purchases, a euro account with rate history, a CAD client,
receipts, refunds and vendor credits — consistent with its own bank feed, and loaded into the
QBO sandbox and synced without a single quarantined record."""

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from apps.ap.models import VendorCredit
from apps.ar.models import Invoice, RefundReceipt, SalesReceipt
from apps.bank.models import CreditCardPayment, JournalEntry
from apps.demo.generator import generate_company
from apps.integrations.sync.models import QboConnection, QuarantinedRecord, SyncRun
from apps.ledger.models import CompanyCurrency, ExchangeRate
from tests.demo.books import d, load_plaid, load_qbo, load_summary
from tests.integrations.sync.qbo_company import start
from tests.utils import in_tenant

AS_OF = date(2026, 11, 20)


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    root = tmp_path_factory.mktemp("realbooks")
    generate_company(root, seed=7, years=1, scale=0.5, as_of=AS_OF, real_books=True)
    return root, load_qbo(root), load_summary(root)


def _home_banks(qbo):
    return {a["Id"] for a in qbo["Account"]
            if a["AccountType"] == "Bank" and a["CurrencyRef"]["value"] == "USD"}


def book_movements(qbo):
    """(account, date, amount with Plaid's sign) of every QBO record that moves money through
    a USD bank account or the card — the real-books entities included."""
    banks = _home_banks(qbo)
    card = next(a["Id"] for a in qbo["Account"] if a["AccountType"] == "Credit Card")
    out = []

    def add(acct, when, cash_in):
        if acct in banks or acct == card:
            out.append((acct, d(when), -cash_in))

    for p in qbo["Payment"]:
        add(p["DepositToAccountRef"]["value"], p["TxnDate"], p.get("HomeTotalAmt", p["TotalAmt"]))
    for dep in qbo["Deposit"]:
        add(dep["DepositToAccountRef"]["value"], dep["TxnDate"], dep["TotalAmt"])
    for bp in qbo["BillPayment"]:
        acct = (bp["CheckPayment"]["BankAccountRef"] if bp["PayType"] == "Check"
                else bp["CreditCardPayment"]["CCAccountRef"])["value"]
        add(acct, bp["TxnDate"], -bp["TotalAmt"])
    for p in qbo["Purchase"]:
        sign = 1 if p.get("Credit") else -1
        add(p["AccountRef"]["value"], p["TxnDate"], sign * p["TotalAmt"])
        if p.get("Credit"):  # a card payoff: its lines say from which bank account
            for line in p["Line"]:
                acct = line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"]
                add(acct, p["TxnDate"], -line["Amount"])
    for t in qbo["Transfer"]:
        add(t["FromAccountRef"]["value"], t["TxnDate"], -t["Amount"])
        add(t["ToAccountRef"]["value"], t["TxnDate"], t["Amount"])
    for je in qbo["JournalEntry"]:
        if je["PrivateNote"].startswith("Opening balance"):
            continue
        for line in je["Line"]:
            detail = line["JournalEntryLineDetail"]
            sign = 1 if detail["PostingType"] == "Debit" else -1
            add(detail["AccountRef"]["value"], je["TxnDate"], sign * line["Amount"])
    for c in qbo["CreditCardPayment"]:
        add(c["BankAccountRef"]["value"], c["TxnDate"], -c["Amount"])
        add(c["CreditCardAccountRef"]["value"], c["TxnDate"], c["Amount"])
    for r in qbo["SalesReceipt"]:
        add(r["DepositToAccountRef"]["value"], r["TxnDate"], r["TotalAmt"])
    for r in qbo["RefundReceipt"]:
        add(r["DepositToAccountRef"]["value"], r["TxnDate"], -r["TotalAmt"])
    return out


def test_payroll_runs_are_gusto_journal_entries(company):
    _, qbo, _ = company
    runs = [je for je in qbo["JournalEntry"] if je["PrivateNote"].startswith("Gusto payroll")]
    assert len(runs) >= 20
    assert not any(p.get("PrivateNote", "").startswith("Payroll ") for p in qbo["Purchase"])
    payroll_bank = next(a["Id"] for a in qbo["Account"] if a["Name"] == "Payroll Checking")
    dates = sorted(d(je["TxnDate"]) for je in runs)
    assert {(b - a).days for a, b in zip(dates, dates[1:], strict=False)} == {14}
    for je in qbo["JournalEntry"]:
        assert je["TotalAmt"] == 0
        sums = defaultdict(Decimal)
        for line in je["Line"]:
            sums[line["JournalEntryLineDetail"]["PostingType"]] += line["Amount"]
        assert sums["Debit"] == sums["Credit"] > 0
    for je in runs:
        assert re.fullmatch(r"Gusto payroll \d\d/\d\d/\d{4}", je["PrivateNote"])
        credit = [ln for ln in je["Line"]
                  if ln["JournalEntryLineDetail"]["PostingType"] == "Credit"]
        assert [ln["JournalEntryLineDetail"]["AccountRef"]["value"] for ln in credit] == [
            payroll_bank]


def test_card_currencies_receipts_refunds_and_credits(company):
    _, qbo, _ = company
    assert len(qbo["CreditCardPayment"]) >= 6
    payoffs = [p for p in qbo["Purchase"] if p.get("Credit")]
    assert payoffs and all(p["PaymentType"] == "CreditCard" for p in payoffs)
    assert all("Credit" not in p for p in qbo["Purchase"] if p["PaymentType"] != "CreditCard")
    assert {r["SourceCurrencyCode"] for r in qbo["ExchangeRate"]} == {"EUR", "CAD"}
    assert all("Id" not in r for r in qbo["ExchangeRate"])
    assert {c["Code"] for c in qbo["CompanyCurrency"]} == {"EUR", "CAD"}
    assert qbo["Preferences"][0]["CurrencyPrefs"]["MultiCurrencyEnabled"] is True
    euro = [a for a in qbo["Account"] if a["CurrencyRef"]["value"] == "EUR"]
    assert len(euro) == 1 and euro[0]["AccountType"] == "Bank" and euro[0]["CurrentBalance"] > 0
    cad = [i for i in qbo["Invoice"] if i["CurrencyRef"]["value"] == "CAD"]
    assert cad and all(i["ExchangeRate"] > 0 and "HomeBalance" in i for i in cad)
    assert any(i["Balance"] > 0 for i in cad)
    undeposited = next(a["Id"] for a in qbo["Account"] if a["AccountSubType"] == "UndepositedFunds")
    via_uf = [r for r in qbo["SalesReceipt"] if r["DepositToAccountRef"]["value"] == undeposited]
    assert via_uf and len(via_uf) < len(qbo["SalesReceipt"])
    deposited = {ln["LinkedTxn"][0]["TxnId"] for dep in qbo["Deposit"] for ln in dep["Line"]
                 if ln.get("LinkedTxn") and ln["LinkedTxn"][0]["TxnType"] == "SalesReceipt"}
    assert {r["Id"] for r in via_uf} == deposited
    assert qbo["RefundReceipt"] and all(
        r["DepositToAccountRef"]["value"] in _home_banks(qbo) for r in qbo["RefundReceipt"])
    credits = qbo["VendorCredit"]
    assert credits and all(vc["Balance"] == vc["TotalAmt"] > 0 for vc in credits)
    first = credits and min(credits, key=lambda vc: int(vc["Id"]))
    open_bills = sorted((b for b in qbo["Bill"] if b["Balance"] > 0
                         and b["VendorRef"]["value"] == first["VendorRef"]["value"]),
                        key=lambda b: b["DueDate"])
    assert first["Balance"] > open_bills[0]["Balance"]  # spans two of its vendor's bills


def test_bank_feed_and_balances_stay_consistent(company):
    root, qbo, summary = company
    accounts, txns = load_plaid(root)
    plaid_of = {a["qbo_id"]: a["plaid_account_id"] for a in summary["accounts"]
                if "plaid_account_id" in a}
    pool = defaultdict(list)
    for t in txns:
        pool[(t["account_id"], t["amount"])].append(t)
    matched = set()
    for acct, when, amount in sorted(book_movements(qbo), key=lambda m: m[1]):
        candidates = [t for t in pool[(plaid_of[acct], amount)]
                      if t["transaction_id"] not in matched
                      and 0 <= (d(t["date"]) - when).days <= 3]
        assert candidates, (acct, when, amount)
        matched.add(min(candidates, key=lambda t: t["date"])["transaction_id"])
    assert {t["transaction_id"] for t in txns} - matched == set(
        summary["plaid"]["bank_only_transaction_ids"])
    totals = defaultdict(Decimal)
    for acct, _, amount in book_movements(qbo):
        totals[acct] += amount
    by_id = {a["Id"]: a for a in qbo["Account"]}
    opening = {a["qbo_id"]: Decimal(a["opening"]) for a in summary["accounts"] if "opening" in a}
    for acct in _home_banks(qbo):
        assert by_id[acct]["CurrentBalance"] == opening[acct] - totals[acct]


def test_demo_company_loads_into_the_sandbox_and_syncs_clean(company, tenant_a, settings):
    root, qbo, _ = company
    settings.QBO_RETRY_BASE, settings.QBO_RETRY_CAP = 0.01, 0.05
    sb = start(root / "qbo")
    try:
        call_command("connect_qbo", "alpha", "--sandbox", sb.base_url,
                     stdout=open("/dev/null", "w"))
    finally:
        sb.stop()
    run = SyncRun.objects.filter(business=tenant_a).first()
    assert run.state == "succeeded" and run.quarantined == 0, run.error
    assert not QuarantinedRecord.objects.filter(business=tenant_a, resolved_at__isnull=True)
    assert QboConnection.objects.get(business=tenant_a).multicurrency_enabled
    with in_tenant(tenant_a):
        for model, entity in ((JournalEntry, "JournalEntry"), (SalesReceipt, "SalesReceipt"),
                              (RefundReceipt, "RefundReceipt"), (VendorCredit, "VendorCredit"),
                              (CreditCardPayment, "CreditCardPayment"),
                              (ExchangeRate, "ExchangeRate"), (CompanyCurrency, "CompanyCurrency")):
            assert model.objects.count() == len(qbo[entity]), entity
        cad = Invoice.objects.filter(currency="CAD")
        assert cad.exists() and not cad.filter(exchange_rate__isnull=True).exists()
        assert ExchangeRate.objects.current("EUR", AS_OF - timedelta(days=1)) is not None


def test_the_card_carries_what_is_owed_with_qbos_sign(company, tenant_a, settings):
    """Liabilities come back from QBO negative when money is owed (reference/qbo-api-facts.md):
    the demo card holds this month's charges not yet paid off, so the dashboard's card shows
    them owed (not "$0.00 owed" because the generator wrote the amount positive)."""
    from apps.runway.services import runway_compute

    root, qbo, _ = company
    card = next(a for a in qbo["Account"] if a["AccountType"] == "Credit Card")
    assert card["CurrentBalance"] < 0
    ap = next(a for a in qbo["Account"] if a["AccountType"] == "Accounts Payable")
    assert ap["CurrentBalance"] < 0  # open bills are owed too
    settings.QBO_RETRY_BASE, settings.QBO_RETRY_CAP = 0.01, 0.05
    sb = start(root / "qbo")
    try:
        call_command("connect_qbo", "alpha", "--sandbox", sb.base_url,
                     stdout=open("/dev/null", "w"))
    finally:
        sb.stop()
    (owed,) = [c.owed for c in runway_compute(tenant_a, as_of=AS_OF).cards]
    assert owed == -Decimal(str(card["CurrentBalance"])) > 0
