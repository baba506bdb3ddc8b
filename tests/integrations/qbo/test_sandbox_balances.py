"""The QBO sandbox moves bank and card balances for every money transaction the way QBO does
(a card owes as a negative CurrentBalance), so a sync after writes reads consistent books:
journal entry bank lines, card payments, sales and refund receipts, bills paid by card, vendor
credits on the vendor's balance, and bill payments in another currency."""

from decimal import Decimal

import pytest
import requests

from apps.sandboxes.qbo import start_sandbox
from apps.sandboxes.qbo.fixtures import small_company

CHECKING = "10"  # 50,000.00 in small_company


@pytest.fixture
def api(tmp_path):
    small_company(tmp_path / "co")
    handle = start_sandbox(tmp_path / "co", persist_delay=0.05)
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {handle.issue_tokens()['access_token']}",
                            "Accept": "application/json"})

    def call(entity, body=None, key=None, **params):
        params.setdefault("minorversion", 75)
        url = f"{handle.api_base}/{entity.lower()}" + (f"/{key}" if key else "")
        r = session.post(url, json=body, params=params) if body is not None else session.get(url)
        return r.json()

    yield call
    handle.stop()


def balance(api, key) -> Decimal:
    return Decimal(str(api("Account", key=key)["Account"]["CurrentBalance"]))


def account(api, name, kind, amount, currency=None) -> str:
    body = {"Name": name, "AccountType": kind, "CurrentBalance": amount}
    if currency:
        body["CurrencyRef"] = {"value": currency}
    return api("Account", body)["Account"]["Id"]


def je_line(account_id, posting, amount):
    return {"Amount": amount, "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": {"PostingType": posting, "AccountRef": {"value": account_id}}}


def test_journal_entry_bank_lines_move_the_bank_and_deleting_moves_it_back(api):
    wages = account(api, "Wages", "Expense", 0)
    entry = api("JournalEntry", {"TxnDate": "2026-11-20", "PrivateNote": "Gusto payroll",
                                 "Line": [je_line(wages, "Debit", 4200.50),
                                          je_line(CHECKING, "Credit", 4200.50)]})["JournalEntry"]
    assert entry["TotalAmt"] == 0  # as QBO reports every journal entry
    assert balance(api, CHECKING) == Decimal("45799.50")
    assert api("Account", key=wages)["Account"]["CurrentBalance"] == 0  # only money accounts
    api("JournalEntry", {"Id": entry["Id"], "SyncToken": entry["SyncToken"]},
        operation="delete")
    assert balance(api, CHECKING) == Decimal("50000.00")


def test_card_payment_leaves_the_bank_and_lowers_what_the_card_owes(api):
    card = account(api, "Visa", "Credit Card", -812.34)
    api("CreditCardPayment", {"TxnDate": "2026-11-20", "Amount": 500,
                              "BankAccountRef": {"value": CHECKING},
                              "CreditCardAccountRef": {"value": card}})
    assert balance(api, CHECKING) == Decimal("49500.00")
    assert balance(api, card) == Decimal("-312.34")


def test_a_bill_paid_by_card_is_owed_on_the_card(api):
    card = account(api, "Amex", "Credit Card", 0)
    api("BillPayment", {"VendorRef": {"value": "1"}, "PayType": "CreditCard", "TotalAmt": 100,
                        "CreditCardPayment": {"CCAccountRef": {"value": card}},
                        "Line": [{"Amount": 100,
                                  "LinkedTxn": [{"TxnId": "100", "TxnType": "Bill"}]}]})
    assert balance(api, card) == Decimal("-100.00")
    assert balance(api, CHECKING) == Decimal("50000.00")


def test_sales_receipt_deposits_and_refund_receipt_pays_out(api):
    undeposited = account(api, "Undeposited Funds", "Other Current Asset", 0)
    line = [{"Amount": 300, "DetailType": "SalesItemLineDetail",
             "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]
    sale = api("SalesReceipt", {"CustomerRef": {"value": "3"}, "Line": line,
                                "DepositToAccountRef": {"value": CHECKING}})["SalesReceipt"]
    assert sale["TotalAmt"] == 300 and balance(api, CHECKING) == Decimal("50300.00")
    api("SalesReceipt", {"CustomerRef": {"value": "3"}, "Line": line,
                         "DepositToAccountRef": {"value": undeposited}})
    assert balance(api, CHECKING) == Decimal("50300.00")  # not cash until deposited
    api("RefundReceipt", {"CustomerRef": {"value": "3"}, "Line": line[:1],
                          "DepositToAccountRef": {"value": CHECKING}})
    assert balance(api, CHECKING) == Decimal("50000.00")
    voided = api("SalesReceipt", {"Id": sale["Id"], "SyncToken": sale["SyncToken"]},
                 operation="void")
    assert voided["SalesReceipt"]["TotalAmt"] == 0, voided
    assert balance(api, CHECKING) == Decimal("49700.00")


def test_vendor_credit_lowers_the_vendor_balance_until_applied(api):
    before = Decimal(str(api("Vendor", key="1")["Vendor"]["Balance"]))
    credit = api("VendorCredit", {"VendorRef": {"value": "1"}, "Line": [
        {"Amount": 60, "DetailType": "AccountBasedExpenseLineDetail",
         "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "11"}}}]})["VendorCredit"]
    assert credit["TotalAmt"] == 60 and credit["Balance"] == 60
    assert Decimal(str(api("Vendor", key="1")["Vendor"]["Balance"])) == before - 60
    # Applied to bill 100 (QBO's way: a zero bill payment linking the bill and the credit).
    api("BillPayment", {"VendorRef": {"value": "1"}, "PayType": "Check", "TotalAmt": 0,
                        "CheckPayment": {"BankAccountRef": {"value": CHECKING}},
                        "Line": [{"Amount": 60, "LinkedTxn": [{"TxnId": "100", "TxnType": "Bill"}]},
                                 {"Amount": 60, "LinkedTxn": [{"TxnId": credit["Id"],
                                                               "TxnType": "VendorCredit"}]}]})
    assert api("VendorCredit", key=credit["Id"])["VendorCredit"]["Balance"] == 0
    assert Decimal(str(api("Vendor", key="1")["Vendor"]["Balance"])) == before - 60
    assert balance(api, CHECKING) == Decimal("50000.00")  # no money moved


def _euro_bill(api) -> str:
    return api("Bill", {"VendorRef": {"value": "1"}, "CurrencyRef": {"value": "EUR"},
                        "ExchangeRate": 1.05, "Line": [
                            {"Amount": 200, "DetailType": "AccountBasedExpenseLineDetail",
                             "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "11"}}}]}
               )["Bill"]["Id"]


def _pay(api, bill_id, bank, amount, **extra):
    return api("BillPayment", {
        "VendorRef": {"value": "1"}, "PayType": "Check", "TotalAmt": amount,
        "TxnDate": "2026-11-20", "CurrencyRef": {"value": "EUR"}, **extra,
        "CheckPayment": {"BankAccountRef": {"value": bank}},
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": bill_id, "TxnType": "Bill"}]}]})


def test_a_euro_bill_paid_from_the_home_bank_moves_the_home_amount(api):
    bill = _euro_bill(api)
    paid = _pay(api, bill, CHECKING, 120, ExchangeRate=1.0823)["BillPayment"]
    assert paid["CurrencyRef"] == {"value": "EUR"} and paid["ExchangeRate"] == 1.0823
    assert api("Bill", key=bill)["Bill"]["Balance"] == 80  # in euros
    assert balance(api, CHECKING) == Decimal("50000.00") - Decimal("129.88")  # 120 × 1.0823


def test_without_a_rate_the_rate_table_of_the_payment_date_is_used(api):
    api("ExchangeRate", {"SourceCurrencyCode": "EUR", "Rate": 1.10, "AsOfDate": "2026-11-01"})
    api("ExchangeRate", {"SourceCurrencyCode": "EUR", "Rate": 1.50, "AsOfDate": "2026-12-01"})
    paid = _pay(api, _euro_bill(api), CHECKING, 100)["BillPayment"]
    assert paid["ExchangeRate"] == 1.1  # the latest rate on or before the payment's date
    assert balance(api, CHECKING) == Decimal("49890.00")


def test_a_euro_bank_pays_euros_and_a_third_currency_is_refused(api):
    euro_bank = account(api, "Euro account", "Bank", 1000, currency="EUR")
    bill = _euro_bill(api)
    _pay(api, bill, euro_bank, 50, ExchangeRate=1.08)
    assert balance(api, euro_bank) == Decimal("950.00")
    cad_bank = account(api, "Loonie account", "Bank", 1000, currency="CAD")
    refused = _pay(api, bill, cad_bank, 50, ExchangeRate=1.08)
    assert "currency" in refused["Fault"]["Error"][0]["Detail"]
    assert api("Bill", key=bill)["Bill"]["Balance"] == 150
