"""DTO parsing: good objects in QBO's wire format, and malformed ones with readable reasons."""

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from apps.integrations.qbo import dtos
from apps.integrations.qbo.dtos import MappingError, parse_entity

META = {"CreateTime": "2026-01-05T09:00:00-08:00", "LastUpdatedTime": "2026-01-06T10:48:27-08:00"}

BILL = {
    "Id": "25", "SyncToken": "2", "domain": "QBO", "sparse": False, "MetaData": META,
    "VendorRef": {"value": "56", "name": "Bob's Burger Joint"},
    "APAccountRef": {"value": "33", "name": "Accounts Payable (A/P)"},
    "TxnDate": "2026-01-05", "DueDate": "2026-02-04", "TotalAmt": 103.55, "Balance": 53.55,
    "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
    "LinkedTxn": [{"TxnId": "118", "TxnType": "BillPaymentCheck"}],
    "SalesTermRef": {"value": "3"}, "UnknownFutureField": {"x": 1},
    "Line": [
        {"Id": "1", "Amount": 100.0, "DetailType": "AccountBasedExpenseLineDetail",
         "Description": "Lunch", "AccountBasedExpenseLineDetail": {
             "AccountRef": {"value": "7", "name": "Meals"}, "BillableStatus": "NotBillable"}},
        {"Id": "2", "Amount": "3.55", "DetailType": "ItemBasedExpenseLineDetail",
         "ItemBasedExpenseLineDetail": {"ItemRef": {"value": "9", "name": "Widget"}}},
        {"Amount": 103.55, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        {"DetailType": "SomethingNewLineDetail"},
    ],
}

INVOICE = {
    "Id": "130", "SyncToken": "0", "MetaData": META, "DocNumber": "1037",
    "CustomerRef": {"value": "3", "name": "Cool Cars"}, "TxnDate": "2026-01-10",
    "DueDate": "2026-02-09", "TotalAmt": 362.07, "Balance": 362.07, "Deposit": 0,
    "EmailStatus": "NeedToSend", "BillEmail": {"Address": "cool@example.com"},
    "CurrencyRef": {"value": "EUR"}, "ExchangeRate": 1.1, "HomeBalance": 398.28,
    "Line": [
        {"Amount": 362.07, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": "1", "name": "Services"}, "Qty": 1}},
        {"Amount": 362.07, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        {"Amount": 10, "DetailType": "DiscountLineDetail", "DiscountLineDetail": {}},
    ],
}

PAYMENT = {
    "Id": "200", "SyncToken": "0", "MetaData": META, "CustomerRef": {"value": "3"},
    "TxnDate": "2026-01-20", "TotalAmt": 500, "UnappliedAmt": 37.93,
    "DepositToAccountRef": {"value": "35", "name": "Checking"},
    "Line": [
        {"Amount": 362.07, "LinkedTxn": [{"TxnId": "130", "TxnType": "Invoice"}],
         "LineEx": {"any": [{"name": "{urn:schemas}NameValue",
                             "value": {"Name": "txnOpenBalance", "Value": "362.07"}}]}},
        {"Amount": 100, "LinkedTxn": [{"TxnId": "77", "TxnType": "CreditMemo"}]},
    ],
}

BILL_PAYMENT = {
    "Id": "118", "SyncToken": "0", "MetaData": META, "VendorRef": {"value": "56"},
    "PayType": "Check", "TxnDate": "2026-01-07", "TotalAmt": 50,
    "CheckPayment": {"BankAccountRef": {"value": "35", "name": "Checking"},
                     "PrintStatus": "NeedToPrint"},
    "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": "25", "TxnType": "Bill"}]}],
}

OTHERS = {
    "CompanyInfo": {"Id": "1", "SyncToken": "4", "MetaData": META, "CompanyName": "Acme Agency",
                    "LegalName": "Acme Agency LLC", "Country": "US",
                    "FiscalYearStartMonth": "July", "CompanyStartDate": "2015-06-01",
                    "Email": {"Address": "owner@acme.test"},
                    "NameValue": [{"Name": "OfferingSku", "Value": "QuickBooks Online Plus"}]},
    "Preferences": {"Id": "1", "SyncToken": "3", "MetaData": META,
                    "CurrencyPrefs": {"HomeCurrency": {"value": "CAD"},
                                      "MultiCurrencyEnabled": True},
                    "AccountingInfoPrefs": {"FirstMonthOfFiscalYear": "January"}},
    "Account": {"Id": "35", "SyncToken": "0", "MetaData": META, "Name": "Checking",
                "AccountType": "Bank", "AccountSubType": "Checking", "Classification": "Asset",
                "CurrentBalance": 1201.0, "Active": True, "CurrencyRef": {"value": "USD"}},
    "Vendor": {"Id": "56", "SyncToken": "1", "MetaData": META, "DisplayName": "Bob's Burger Joint",
               "Balance": 390.0, "Active": True, "PrimaryEmailAddr": {"Address": "bob@x.test"}},
    "Customer": {"Id": "3", "SyncToken": "0", "MetaData": META, "DisplayName": "Cool Cars",
                 "Balance": 1000, "BalanceWithJobs": 1200, "Active": False},
    "CreditMemo": {"Id": "77", "SyncToken": "0", "MetaData": META, "CustomerRef": {"value": "3"},
                   "TxnDate": "2026-01-11", "TotalAmt": 150, "RemainingCredit": 50, "Balance": 50},
    "Purchase": {"Id": "300", "SyncToken": "0", "MetaData": META, "PaymentType": "CreditCard",
                 "AccountRef": {"value": "41", "name": "Visa"},
                 "EntityRef": {"value": "56", "name": "Bob", "type": "Vendor"},
                 "TxnDate": "2026-01-12", "TotalAmt": 42.5, "Credit": False,
                 "Line": [{"Amount": 42.5, "DetailType": "AccountBasedExpenseLineDetail",
                           "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}}}]},
    "Deposit": {"Id": "400", "SyncToken": "0", "MetaData": META,
                "DepositToAccountRef": {"value": "35"}, "TxnDate": "2026-01-21",
                "TotalAmt": 500,
                "Line": [{"Amount": 500, "LinkedTxn": [{"TxnId": "200", "TxnType": "Payment",
                                                         "TxnLineId": "0"}]},
                         {"Amount": 0, "DepositLineDetail": {"AccountRef": {"value": "80"},
                                                             "Entity": {"value": "3"}}}]},
    "Transfer": {"Id": "500", "SyncToken": "0", "MetaData": META,
                 "FromAccountRef": {"value": "35"}, "ToAccountRef": {"value": "36"},
                 "Amount": 1000, "TxnDate": "2026-01-22"},
}


def test_bill_good():
    bill = parse_entity("Bill", BILL)
    assert isinstance(bill, dtos.Bill)
    assert (bill.qbo_id, bill.sync_token) == ("25", "2")
    assert bill.last_updated == datetime(2026, 1, 6, 18, 48, 27, tzinfo=UTC)
    assert bill.last_updated.tzinfo is not None
    assert bill.vendor_ref == dtos.Ref("56", "Bob's Burger Joint")
    assert (bill.txn_date, bill.due_date) == (date(2026, 1, 5), date(2026, 2, 4))
    assert bill.total == Decimal("103.55") and bill.balance == Decimal("53.55")
    assert bill.home_total == Decimal("103.55") and bill.exchange_rate == 1
    assert bill.currency == "USD" and not bill.voided and not bill.is_paid
    assert [(line.amount, line.detail_type) for line in bill.lines] == [
        (Decimal("100.0"), "AccountBasedExpenseLineDetail"),
        (Decimal("3.55"), "ItemBasedExpenseLineDetail"),
    ]  # SubTotal and unknown line types ignored
    assert bill.lines[0].account_ref.value == "7" and bill.lines[1].item_ref.value == "9"
    assert bill.linked_txns == (dtos.LinkedTxn("118", "BillPaymentCheck"),)
    assert bill.raw is None
    assert parse_entity("Bill", BILL, keep_raw=True).raw is BILL


def test_bill_due_date_defaults_to_txn_date_and_balance_to_total():
    obj = {k: v for k, v in BILL.items() if k not in ("DueDate", "Balance")}
    bill = dtos.parse_bill(obj)
    assert bill.due_date == bill.txn_date and bill.balance == bill.total


def test_amounts_from_decimal_parsed_json_are_exact():
    obj = json.loads(json.dumps(BILL), parse_float=Decimal)
    assert dtos.parse_bill(obj).total == Decimal("103.55")


def test_multicurrency_invoice_home_amounts():
    inv = dtos.parse_invoice(INVOICE)
    assert inv.currency == "EUR" and inv.exchange_rate == Decimal("1.1")
    assert inv.home_balance == Decimal("398.28")  # QBO's own HomeBalance wins
    assert inv.home_total == Decimal("398.28")  # computed: 362.07 × 1.1, to the cent
    assert len(inv.lines) == 1 and inv.lines[0].item_ref.value == "1"
    assert inv.bill_email == "cool@example.com" and inv.email_status == "NeedToSend"


def test_computed_home_amounts_round_half_up_like_every_money_amount():
    obj = {**INVOICE, "TotalAmt": "10.05", "ExchangeRate": "0.5"}
    obj.pop("HomeTotalAmt", None)
    assert dtos.parse_invoice(obj).home_total == Decimal("5.03")  # 5.025: half-even says 5.02


def test_payment_applications():
    pay = dtos.parse_payment(PAYMENT)
    assert pay.unapplied_amount == Decimal("37.93")
    assert pay.deposit_account_ref.value == "35"
    assert pay.invoices == (dtos.AppliedTxn("130", "Invoice", Decimal("362.07")),)
    assert len(pay.applied) == 2


def test_bill_payment_check_and_credit_card():
    bp = dtos.parse_bill_payment(BILL_PAYMENT)
    assert bp.pay_type == "Check" and bp.account_ref.value == "35"
    assert bp.bills == (dtos.AppliedTxn("25", "Bill", Decimal("50")),)
    cc = dict(BILL_PAYMENT, PayType="CreditCard",
              CreditCardPayment={"CCAccountRef": {"value": "41"}})
    del cc["CheckPayment"]
    assert dtos.parse_bill_payment(cc).account_ref.value == "41"


@pytest.mark.parametrize("entity", list(OTHERS))
def test_other_entities_parse(entity):
    dto = parse_entity(entity, OTHERS[entity])
    assert dto.qbo_id == OTHERS[entity]["Id"]
    assert dto.last_updated.tzinfo is not None


def test_other_entity_fields():
    info = parse_entity("CompanyInfo", OTHERS["CompanyInfo"])
    assert info.fiscal_year_start_month == 7 and info.company_start_date == date(2015, 6, 1)
    prefs = parse_entity("Preferences", OTHERS["Preferences"])
    assert prefs.home_currency == "CAD" and prefs.multicurrency_enabled is True
    acct = parse_entity("Account", OTHERS["Account"])
    assert acct.is_bank and acct.current_balance == Decimal("1201.0")
    assert parse_entity("Customer", OTHERS["Customer"]).active is False
    assert parse_entity("CreditMemo", OTHERS["CreditMemo"]).balance == Decimal("50")
    purchase = parse_entity("Purchase", OTHERS["Purchase"])
    assert purchase.entity_ref == dtos.Ref("56", "Bob", "Vendor") and purchase.credit is False
    deposit = parse_entity("Deposit", OTHERS["Deposit"])
    assert deposit.lines[0].linked_txns == (dtos.LinkedTxn("200", "Payment"),)
    assert deposit.lines[1].account_ref.value == "80"
    transfer = parse_entity("Transfer", OTHERS["Transfer"])
    assert (transfer.from_account_ref.value, transfer.to_account_ref.value) == ("35", "36")


def test_deleted_from_cdc():
    gone = parse_entity("Bill", {"Id": "25", "status": "Deleted", "domain": "QBO",
                                 "MetaData": {"LastUpdatedTime": "2026-01-07T00:00:00Z"}})
    assert gone == dtos.Deleted("Bill", "25", datetime(2026, 1, 7, tzinfo=UTC))
    assert parse_entity("Invoice", {"Id": "9", "status": "Deleted"}).last_updated is None


def test_voided_invoice():
    voided = dict(INVOICE, TotalAmt=0, Balance=0, HomeBalance=0, PrivateNote="Voided", Line=[])
    assert dtos.parse_invoice(voided).voided is True
    # a note alone does not void a transaction with money on it
    assert dtos.parse_invoice(dict(INVOICE, PrivateNote="Voided earlier copy")).voided is False


def test_naive_timestamp_is_made_aware():
    obj = dict(BILL, MetaData={"LastUpdatedTime": "2026-01-06T10:48:27"})
    assert dtos.parse_bill(obj).last_updated.tzinfo is UTC


def test_offset_preserved():
    bill = dtos.parse_bill(BILL)
    assert bill.last_updated.utcoffset() == timedelta(hours=-8)
    assert bill.last_updated.tzinfo == timezone(timedelta(hours=-8))


def broken(base, **changes):
    obj = copy.deepcopy(base)
    for key, value in changes.items():
        if value is ...:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


@pytest.mark.parametrize(
    "entity,obj,reason",
    [
        ("Bill", broken(BILL, VendorRef=...), "missing VendorRef"),
        ("Bill", broken(BILL, VendorRef={"name": "no id"}), "VendorRef has no value"),
        ("Bill", broken(BILL, TotalAmt="12,50"), "TotalAmt is not a number: '12,50'"),
        ("Bill", broken(BILL, TotalAmt="abc"), "TotalAmt is not a number"),
        ("Bill", broken(BILL, TotalAmt=True), "TotalAmt is not a number"),
        ("Bill", broken(BILL, TotalAmt="NaN"), "TotalAmt is not a finite number"),
        ("Bill", broken(BILL, TotalAmt=...), "missing TotalAmt"),
        ("Bill", broken(BILL, Balance=[1]), "Balance is not a number"),
        ("Bill", broken(BILL, TxnDate="1899-12-31"), "TxnDate '1899-12-31' is outside 1900–2100"),
        ("Bill", broken(BILL, DueDate="2101-01-01"), "DueDate '2101-01-01' is outside 1900–2100"),
        ("Bill", broken(BILL, TxnDate="05/01/2026"), "TxnDate is not a date"),
        ("Bill", broken(BILL, TxnDate="2026-02-30"), "TxnDate is not a valid date"),
        ("Bill", broken(BILL, TxnDate=...), "missing TxnDate"),
        ("Bill", broken(BILL, Id=...), "missing Id"),
        ("Bill", broken(BILL, SyncToken=...), "missing SyncToken"),
        ("Bill", broken(BILL, MetaData=...), "missing MetaData.LastUpdatedTime"),
        ("Bill", broken(BILL, MetaData={"LastUpdatedTime": "yesterday"}), "not a timestamp"),
        ("Bill", broken(BILL, ExchangeRate=0), "ExchangeRate must be positive"),
        ("Bill", broken(BILL, Line=[{"DetailType": "AccountBasedExpenseLineDetail"}]),
         "missing Line[0].Amount"),
        ("Invoice", broken(INVOICE, CustomerRef=...), "missing CustomerRef"),
        ("Payment", broken(PAYMENT, Line=[{"Amount": "x", "LinkedTxn": [{"TxnId": "1"}]}]),
         "Line[0].Amount is not a number"),
        ("BillPayment", broken(BILL_PAYMENT, PayType="Cash"), "PayType must be Check or"),
        ("BillPayment", broken(BILL_PAYMENT, CheckPayment={}), "missing CheckPayment.BankAccount"),
        ("Purchase", broken(OTHERS["Purchase"], AccountRef=...), "missing AccountRef"),
        ("Purchase", broken(OTHERS["Purchase"], PaymentType="Barter"), "PaymentType must be"),
        ("Transfer", broken(OTHERS["Transfer"], ToAccountRef=...), "missing ToAccountRef"),
        ("Deposit", broken(OTHERS["Deposit"], DepositToAccountRef=...),
         "missing DepositToAccountRef"),
        ("Vendor", broken(OTHERS["Vendor"], DisplayName=...), "missing DisplayName"),
        ("Account", broken(OTHERS["Account"], Active="maybe"), "Active is not a boolean"),
        ("CompanyInfo", broken(OTHERS["CompanyInfo"], FiscalYearStartMonth="Smarch"),
         "FiscalYearStartMonth is not a month"),
    ],
)
def test_malformed_objects_raise_mapping_error(entity, obj, reason):
    with pytest.raises(MappingError) as exc:
        parse_entity(entity, obj)
    assert reason in exc.value.reason
    assert exc.value.entity == entity
    assert exc.value.qbo_id == obj.get("Id")
    assert entity in str(exc.value)


def test_amounts_accept_numeric_strings_and_ints():
    bill = dtos.parse_bill(broken(BILL, TotalAmt=" 1000.10 ", Balance=7))
    assert bill.total == Decimal("1000.10") and bill.balance == Decimal("7")


def test_not_an_object_and_unknown_entity():
    with pytest.raises(MappingError, match="expected a JSON object"):
        parse_entity("Bill", ["nope"])
    with pytest.raises(MappingError, match="no parser"):
        parse_entity("TimeActivity", {"Id": "1"})


def test_dtos_are_frozen_and_hashable():
    bill = dtos.parse_bill(BILL, keep_raw=True)
    with pytest.raises(AttributeError):
        bill.total = Decimal(0)
    assert hash(bill) == hash(dtos.parse_bill(BILL))
    assert bill == dtos.parse_bill(BILL)  # raw is not part of equality
