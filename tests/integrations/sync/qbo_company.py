"""A small QBO company in QBO's own wire format, written to a directory for the sandbox, and
helpers to start the sandbox and talk to its control API."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from apps.integrations.qbo.sandbox import start_sandbox


def meta(days_ago: int = 40) -> dict[str, str]:
    stamp = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    return {"CreateTime": stamp, "LastUpdatedTime": stamp}


def _obj(qbo_id: str, **fields: Any) -> dict[str, Any]:
    return {"Id": qbo_id, "SyncToken": "0", "MetaData": meta(), **fields}


def _ref(value: str, name: str = "") -> dict[str, str]:
    return {"value": value, "name": name} if name else {"value": value}


def _expense(amount: float) -> list[dict[str, Any]]:
    return [{"Amount": amount, "DetailType": "AccountBasedExpenseLineDetail",
             "AccountBasedExpenseLineDetail": {"AccountRef": _ref("7", "Software")}}]


def _pay_line(amount: float, txn_id: str, txn_type: str) -> dict[str, Any]:
    return {"Amount": amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]}


def company(extra_bills: int = 0) -> dict[str, list[dict[str, Any]]]:
    bills = [
        _obj("101", VendorRef=_ref("56", "SaaS Co"), TxnDate="2026-10-01",
             DueDate="2026-10-31", TotalAmt=500.00, Balance=500.00, Line=_expense(500.00)),
        _obj("102", VendorRef=_ref("57", "Rent LLC"), TxnDate="2026-10-01",
             DueDate="2026-10-15", TotalAmt=1200.00, Balance=700.00, Line=_expense(1200.00),
             LinkedTxn=[{"TxnId": "301", "TxnType": "BillPaymentCheck"}]),
        _obj("103", VendorRef=_ref("56", "SaaS Co"), TxnDate="2026-09-01",
             DueDate="2026-09-30", TotalAmt=300.00, Balance=0, Line=_expense(300.00),
             LinkedTxn=[{"TxnId": "302", "TxnType": "BillPaymentCheck"}]),
    ]
    for i in range(extra_bills):
        bills.append(_obj(str(2000 + i), VendorRef=_ref("56", "SaaS Co"), TxnDate="2026-11-01",
                          DueDate="2026-12-01", TotalAmt=100.00, Balance=100.00,
                          Line=_expense(100.00)))
    return {
        "CompanyInfo": [_obj("1", CompanyName="Sandbox Agency", Country="US",
                             FiscalYearStartMonth="January", CompanyStartDate="2019-01-01")],
        "Preferences": [_obj("1", CurrencyPrefs={"HomeCurrency": _ref("CAD"),
                                                 "MultiCurrencyEnabled": False})],
        "Account": [
            _obj("35", Name="Checking", AccountType="Bank", AccountSubType="Checking",
                 CurrentBalance=10000.00, Active=True, Classification="Asset",
                 CurrencyRef=_ref("CAD")),
            _obj("36", Name="Savings", AccountType="Bank", AccountSubType="Savings",
                 CurrentBalance=5000.00, Active=True, Classification="Asset"),
            _obj("40", Name="Visa", AccountType="Credit Card", AccountSubType="CreditCard",
                 CurrentBalance=-345.50, Active=True, Classification="Liability"),
            _obj("33", Name="Accounts Payable", AccountType="Accounts Payable", Active=True),
            _obj("7", Name="Software", AccountType="Expense", Active=True),
        ],
        "Vendor": [_obj("56", DisplayName="SaaS Co", Balance=500.00, Active=True),
                   _obj("57", DisplayName="Rent LLC", Balance=700.00, Active=True)],
        "Customer": [_obj("1001", DisplayName="Acme Corp", Balance=1150.00, Active=True,
                          PrimaryEmailAddr={"Address": "ap@acme.test"}),
                     _obj("1002", DisplayName="Beta Corp", Balance=0, Active=True)],
        "Bill": bills,
        "BillPayment": [
            _obj("301", VendorRef=_ref("57"), PayType="Check", TxnDate="2026-10-10",
                 TotalAmt=500.00, CheckPayment={"BankAccountRef": _ref("35")},
                 Line=[_pay_line(500.00, "102", "Bill")]),
            _obj("302", VendorRef=_ref("56"), PayType="Check", TxnDate="2026-09-20",
                 TotalAmt=300.00, CheckPayment={"BankAccountRef": _ref("35")},
                 Line=[_pay_line(300.00, "103", "Bill")]),
        ],
        "Invoice": [
            _obj("201", CustomerRef=_ref("1001"), TxnDate="2026-10-01", DueDate="2026-10-31",
                 TotalAmt=1000.00, Balance=1000.00, EmailStatus="NeedToSend",
                 BillEmail={"Address": "ap@acme.test"}),
            _obj("202", CustomerRef=_ref("1002"), TxnDate="2026-09-01", DueDate="2026-10-01",
                 TotalAmt=800.00, Balance=0,
                 LinkedTxn=[{"TxnId": "401", "TxnType": "Payment"},
                            {"TxnId": "402", "TxnType": "Payment"}]),
            _obj("203", CustomerRef=_ref("1001"), TxnDate="2026-10-05", DueDate="2026-11-04",
                 TotalAmt=400.00, Balance=150.00,
                 LinkedTxn=[{"TxnId": "403", "TxnType": "Payment"}]),
        ],
        "Payment": [
            _obj("401", CustomerRef=_ref("1002"), TxnDate="2026-10-01", TotalAmt=500.00,
                 UnappliedAmt=0, DepositToAccountRef=_ref("35"),
                 Line=[_pay_line(500.00, "202", "Invoice")]),
            _obj("402", CustomerRef=_ref("1002"), TxnDate="2026-10-15", TotalAmt=300.00,
                 UnappliedAmt=0, DepositToAccountRef=_ref("35"),
                 Line=[_pay_line(300.00, "202", "Invoice")]),
            _obj("403", CustomerRef=_ref("1001"), TxnDate="2026-10-20", TotalAmt=250.00,
                 UnappliedAmt=0, Line=[_pay_line(250.00, "203", "Invoice")]),
        ],
        "CreditMemo": [_obj("501", CustomerRef=_ref("1002"), TxnDate="2026-10-02",
                            TotalAmt=100.00, RemainingCredit=100.00, Balance=100.00)],
        "Purchase": [
            _obj("601", PaymentType="CreditCard", AccountRef=_ref("40", "Visa"),
                 TxnDate="2026-10-03", TotalAmt=45.50, EntityRef=_ref("56", "SaaS Co"),
                 Line=_expense(45.50)),
            _obj("602", PaymentType="Check", AccountRef=_ref("35", "Checking"),
                 TxnDate="2026-10-04", TotalAmt=120.00, Line=_expense(120.00)),
        ],
        "Transfer": [_obj("701", FromAccountRef=_ref("35"), ToAccountRef=_ref("36"),
                          TxnDate="2026-10-06", Amount=1000.00)],
        "Deposit": [_obj("801", DepositToAccountRef=_ref("35"), TxnDate="2026-10-07",
                         TotalAmt=250.00,
                         Line=[{"Amount": 250.00, "DetailType": "DepositLineDetail",
                                "DepositLineDetail": {"AccountRef": _ref("4")}}])],
    }


def malformed_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "Bill": [
            _obj("901", VendorRef=_ref("56"), TxnDate="2026-10-01", TotalAmt="twelve",
                 Balance="twelve"),
            _obj("902", VendorRef=_ref("56"), TxnDate="3024-01-01", TotalAmt=10, Balance=10),
            _obj("903", TxnDate="2026-10-01", TotalAmt=10, Balance=10),
            _obj("904", VendorRef=_ref("999", "Ghost Vendor"), TxnDate="2026-10-01",
                 TotalAmt=75, Balance=75),
        ],
        "Estimate": [_obj("950", CustomerRef=_ref("1001"), TotalAmt=10)],
    }


def write_company(directory: Path, *, malformed: bool = False, extra_bills: int = 0) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    files = company(extra_bills)
    if malformed:
        for entity, rows in malformed_rows().items():
            files.setdefault(entity, []).extend(rows)
    for entity, rows in files.items():
        (directory / f"{entity}.json").write_text(json.dumps({entity: rows}))
    return directory


def start(directory: Path, **kwargs: Any):
    """Start the sandbox with a random realm (keeps limiter windows apart between runs)."""
    realm = str(random.randint(10**15, 10**16 - 1))
    kwargs.setdefault("persist", False)
    return start_sandbox(directory, port=0, realm=realm, **kwargs)


def control(sb: Any, path: str, body: dict | None = None) -> Any:
    url = f"{sb.base_url}/_sandbox/{path}"
    resp = requests.post(url, json=body, timeout=10) if body is not None else requests.get(
        url, timeout=10
    )
    resp.raise_for_status()
    return resp.json()


def sandbox_rows(sb: Any, entity: str) -> list[dict[str, Any]]:
    """Everything the sandbox holds for ``entity`` (read through its own query API)."""
    tokens = sb.issue_tokens()
    resp = requests.get(
        f"{sb.api_base}/query",
        params={"query": f"SELECT * FROM {entity} MAXRESULTS 1000", "minorversion": 75},
        headers={"Authorization": f"Bearer {tokens['access_token']}",
                 "Accept": "application/json"},
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json().get("QueryResponse", {}).get(entity, [])
