"""A small multicurrency company with the entities real agencies' books add (DESIGN §4b), in
QBO's own wire format (shapes from reference/qbo-api-facts.md §12): payroll as journal entries
(TotalAmt 0), a card paid by CreditCardPayment and by a Credit purchase, vendor credits (one
without Balance), sales receipts (direct and via Undeposited Funds with its Deposit), a refund
receipt, a CAD invoice, a euro bank account, exchange rates (no Id), company currencies,
classes, departments and an employee. Home currency USD."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integrations.sync.qbo_company import meta, obj, ref


def _je_line(n: int, posting: str, account: tuple[str, str], amount: float, *,
             entity: tuple[str, str, str] | None = None, klass: str = "",
             department: str = "", description: str = "") -> dict[str, Any]:
    detail: dict[str, Any] = {"PostingType": posting, "AccountRef": ref(*account)}
    if entity:
        detail["Entity"] = {"Type": entity[0], "EntityRef": ref(entity[1], entity[2])}
    if klass:
        detail["ClassRef"] = ref(klass)
    if department:
        detail["DepartmentRef"] = ref(department)
    return {"Id": str(n), "Description": description, "Amount": amount,
            "DetailType": "JournalEntryLineDetail", "JournalEntryLineDetail": detail,
            "CustomExtensions": []}


def _rate(source: str, as_of: str, rate: float) -> dict[str, Any]:
    return {"SyncToken": "0", "domain": "QBO", "AsOfDate": as_of, "SourceCurrencyCode": source,
            "Rate": rate, "sparse": False, "TargetCurrencyCode": "USD",
            "MetaData": {"LastUpdatedTime": meta()["LastUpdatedTime"]}}


def _expense(account: tuple[str, str], amount: float) -> list[dict[str, Any]]:
    return [{"Id": "1", "Amount": amount, "DetailType": "AccountBasedExpenseLineDetail",
             "AccountBasedExpenseLineDetail": {"AccountRef": ref(*account)}}]


CHECKING, PAYROLL, EUR_BANK, VISA = ("35", "Checking"), ("36", "Payroll"), ("37", "Euro"), (
    "40", "Visa")
WAGES, TAXES, ACCRUED, UNDEPOSITED = ("60", "Wages"), ("61", "Payroll taxes"), (
    "62", "Accrued payroll"), ("41", "Undeposited Funds")


def books() -> dict[str, list[dict[str, Any]]]:
    sales = {"Line": [{"Id": "1", "Amount": 300.00, "DetailType": "SalesItemLineDetail",
                       "SalesItemLineDetail": {"ItemRef": ref("1", "Services")}}]}
    return {
        "CompanyInfo": [obj("1", CompanyName="Books Agency", Country="US",
                             FiscalYearStartMonth="January")],
        "Preferences": [obj("1", CurrencyPrefs={"HomeCurrency": ref("USD"),
                                                 "MultiCurrencyEnabled": True},
                             AccountingInfoPrefs={"FirstMonthOfFiscalYear": "January"},
                             OtherPrefs={"NameValue": [{"Name": "X", "Value": "1"}]})],
        "CompanyCurrency": [obj("1", Code="EUR", Name="Euro", Active=True),
                            obj("2", Code="CAD", Name="Canadian Dollar", Active=True)],
        "ExchangeRate": [_rate("EUR", "2026-10-01", 1.08), _rate("EUR", "2026-11-01", 1.1),
                         _rate("CAD", "2026-10-01", 0.7312345678)],
        "Class": [obj("5000000000000001", Name="Design", FullyQualifiedName="Design",
                       SubClass=False, Active=True)],
        "Department": [obj("1", Name="Portland", FullyQualifiedName="Portland",
                            SubDepartment=False, Active=True),
                       obj("2", Name="Pearl", FullyQualifiedName="Portland:Pearl",
                            SubDepartment=True, ParentRef=ref("1"), Active=True)],
        "Employee": [obj("901", DisplayName="Jane Doe", GivenName="Jane", FamilyName="Doe",
                          Active=True, SSN="XXX-XX-1234", PrimaryAddr={"City": "Portland"})],
        "Account": [
            obj(CHECKING[0], Name="Checking", AccountType="Bank", AccountSubType="Checking",
                 CurrentBalance=20000.00, CurrencyRef=ref("USD", "United States Dollar")),
            obj(PAYROLL[0], Name="Payroll", AccountType="Bank", AccountSubType="Checking",
                 CurrentBalance=8000.00),
            obj(EUR_BANK[0], Name="Euro", AccountType="Bank", AccountSubType="Checking",
                 CurrentBalance=10000.00, CurrencyRef=ref("EUR", "Euro")),
            obj(VISA[0], Name="Visa", AccountType="Credit Card", AccountSubType="CreditCard",
                 CurrentBalance=-157.72, Classification="Liability"),
            obj(UNDEPOSITED[0], Name="Undeposited Funds", AccountType="Other Current Asset",
                 AccountSubType="UndepositedFunds", CurrentBalance=300.00),
            obj(WAGES[0], Name="Wages", AccountType="Expense"),
            obj(TAXES[0], Name="Payroll taxes", AccountType="Expense"),
            obj(ACCRUED[0], Name="Accrued payroll", AccountType="Other Current Liability",
                 CurrentBalance=-1000.00),
            obj("7", Name="Software", AccountType="Expense"),
        ],
        "Vendor": [obj("56", DisplayName="SaaS Co", Balance=0, Active=True)],
        "Customer": [obj("1001", DisplayName="Acme Corp", Balance=0, Active=True),
                     obj("1003", DisplayName="Maple Ltd", Balance=1000.00, Active=True,
                          CurrencyRef=ref("CAD", "Canadian Dollar"))],
        "Invoice": [obj("861", CustomerRef=ref("1003", "Maple Ltd"), TxnDate="2026-10-05",
                         DueDate="2026-11-04", TotalAmt=1000.00, Balance=1000.00,
                         CurrencyRef=ref("CAD", "Canadian Dollar"), ExchangeRate=0.7312345678,
                         HomeTotalAmt=731.23, HomeBalance=731.23),
                    obj("862", CustomerRef=ref("1001"), TxnDate="2026-10-05",
                         TotalAmt=100.00, Balance=100.00)],
        "JournalEntry": [
            obj("801", TxnDate="2026-10-09", PrivateNote="Gusto payroll 10/09/2026",
                 Adjustment=False, TotalAmt=0, CurrencyRef=ref("USD"),
                 Line=[_je_line(0, "Debit", WAGES, 5000.00, description="Net pay"),
                       _je_line(1, "Debit", TAXES, 450.00),
                       _je_line(2, "Credit", PAYROLL, 5450.00)]),
            obj("802", TxnDate="2026-10-31", PrivateNote="Accrue October bonus", TotalAmt=0,
                 Line=[_je_line(0, "Debit", WAGES, 1000.00),
                       _je_line(1, "Credit", ACCRUED, 1000.00)]),
            obj("803", TxnDate="2026-10-12", TotalAmt=0, DocNumber="JE-3",
                 Line=[_je_line(0, "Debit", ("7", "Software"), 80.00,
                                entity=("Vendor", "56", "SaaS Co"),
                                klass="5000000000000001", department="2"),
                       _je_line(1, "Credit", CHECKING, 80.00,
                                entity=("Employee", "901", "Jane Doe")),
                       {"Id": "2", "DetailType": "DescriptionOnly", "Description": "note"}]),
        ],
        "VendorCredit": [
            obj("811", VendorRef=ref("56", "SaaS Co"), TxnDate="2026-10-02", TotalAmt=120.00,
                 Balance=120.00, APAccountRef=ref("33"), Line=_expense(("7", "Software"), 120.0)),
            obj("812", VendorRef=ref("56", "SaaS Co"), TxnDate="2026-10-03", TotalAmt=40.00,
                 Line=_expense(("7", "Software"), 40.00)),
        ],
        "SalesReceipt": [
            obj("821", CustomerRef=ref("1001", "Acme Corp"), TxnDate="2026-10-06",
                 TotalAmt=300.00, Balance=0, DepositToAccountRef=ref(*CHECKING),
                 PaymentMethodRef=ref("1", "Cash"), **sales),
            obj("822", CustomerRef=ref("1001", "Acme Corp"), TxnDate="2026-10-07",
                 TotalAmt=300.00, Balance=0, DepositToAccountRef=ref(*UNDEPOSITED), **sales),
        ],
        "RefundReceipt": [
            obj("831", CustomerRef=ref("1001", "Acme Corp"), TxnDate="2026-10-08",
                 TotalAmt=75.00, Balance=0, DepositToAccountRef=ref(*CHECKING),
                 PaymentMethodRef=ref("1", "Cash"), **sales),
        ],
        "Deposit": [obj("871", DepositToAccountRef=ref(*CHECKING), TxnDate="2026-10-08",
                         TotalAmt=300.00,
                         Line=[{"Amount": 300.00, "LinkedTxn": [
                             {"TxnId": "822", "TxnType": "SalesReceipt", "TxnLineId": "0"}]}])],
        "CreditCardPayment": [
            obj("841", TxnDate="2026-10-20", Amount=157.72, BankAccountRef=ref(*CHECKING),
                 CreditCardAccountRef=ref(*VISA), PrivateNote="Visa autopay", CheckNum="",
                 CurrencyRef=ref("USD", "United States Dollar")),
        ],
        "Purchase": [
            obj("851", PaymentType="CreditCard", AccountRef=ref(*VISA), Credit=True,
                 TxnDate="2026-09-20", TotalAmt=200.00, Line=_expense(CHECKING, 200.00)),
            obj("852", PaymentType="CreditCard", AccountRef=ref(*VISA), TxnDate="2026-10-03",
                 TotalAmt=45.50, EntityRef={"value": "56", "name": "SaaS Co", "type": "Vendor"},
                 Line=_expense(("7", "Software"), 45.50)),
        ],
        "Bill": [obj("891", VendorRef=ref("56", "SaaS Co"), TxnDate="2026-10-01",
                      DueDate="2026-10-31", TotalAmt=100.00, Balance=0,
                      Line=_expense(("7", "Software"), 100.00),
                      LinkedTxn=[{"TxnId": "881", "TxnType": "BillPaymentCheck"}])],
        # $60 cash plus vendor credit 812 ($40) pay bill 891 in full.
        "BillPayment": [
            obj("881", VendorRef=ref("56"), PayType="Check", TxnDate="2026-10-15",
                 TotalAmt=60.00, CheckPayment={"BankAccountRef": ref(*CHECKING)},
                 Line=[{"Amount": 100.00, "LinkedTxn": [{"TxnId": "891", "TxnType": "Bill"}]},
                       {"Amount": 40.00, "LinkedTxn": [{"TxnId": "812",
                                                        "TxnType": "VendorCredit"}]}]),
        ],
    }


def malformed() -> dict[str, list[dict[str, Any]]]:
    """One bad record per new entity type, each with the reason the sync must give."""
    return {
        "JournalEntry": [obj("809", TxnDate="2026-10-10", TotalAmt=0, Line=[
            {"Amount": 10, "DetailType": "JournalEntryLineDetail",
             "JournalEntryLineDetail": {"PostingType": "Sideways", "AccountRef": ref("35")}}])],
        "CreditCardPayment": [obj("849", TxnDate="2026-10-20", Amount=10,
                                   CreditCardAccountRef=ref(*VISA))],
        "ExchangeRate": [_rate("GBP", "2026-10-01", 0)],
    }


REASONS = {
    ("JournalEntry", "809"): "Line[0].PostingType must be Debit or Credit",
    ("CreditCardPayment", "849"): "missing BankAccountRef",
    ("ExchangeRate", "GBP:USD:2026-10-01"): "Rate must be positive",
}


def write_books(directory: Path, *, bad: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    files = books()
    if bad:
        for entity, rows in malformed().items():
            files[entity] = files.get(entity, []) + rows
    for entity, rows in files.items():
        (directory / f"{entity}.json").write_text(json.dumps({entity: rows}))
    return directory
