"""A small QBO company in QBO's own wire format, written to a directory for the sandbox, and
helpers to start the sandbox and talk to its control API."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from apps.sandboxes.qbo import start_sandbox


def meta(days_ago: int = 40) -> dict[str, str]:
    stamp = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    return {"CreateTime": stamp, "LastUpdatedTime": stamp}


def obj(qbo_id: str, **fields: Any) -> dict[str, Any]:
    return {"Id": qbo_id, "SyncToken": "0", "MetaData": meta(), **fields}


def ref(value: str, name: str = "") -> dict[str, str]:
    return {"value": value, "name": name} if name else {"value": value}


def _expense(amount: float) -> list[dict[str, Any]]:
    return [{"Amount": amount, "DetailType": "AccountBasedExpenseLineDetail",
             "AccountBasedExpenseLineDetail": {"AccountRef": ref("7", "Software")}}]


def _pay_line(amount: float, txn_id: str, txn_type: str) -> dict[str, Any]:
    return {"Amount": amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]}


def company(extra_bills: int = 0) -> dict[str, list[dict[str, Any]]]:
    bills = [
        obj("101", VendorRef=ref("56", "SaaS Co"), TxnDate="2026-10-01",
             DueDate="2026-10-31", TotalAmt=500.00, Balance=500.00, Line=_expense(500.00)),
        obj("102", VendorRef=ref("57", "Rent LLC"), TxnDate="2026-10-01",
             DueDate="2026-10-15", TotalAmt=1200.00, Balance=700.00, Line=_expense(1200.00),
             LinkedTxn=[{"TxnId": "301", "TxnType": "BillPaymentCheck"}]),
        obj("103", VendorRef=ref("56", "SaaS Co"), TxnDate="2026-09-01",
             DueDate="2026-09-30", TotalAmt=300.00, Balance=0, Line=_expense(300.00),
             LinkedTxn=[{"TxnId": "302", "TxnType": "BillPaymentCheck"}]),
    ]
    for i in range(extra_bills):
        bills.append(obj(str(2000 + i), VendorRef=ref("56", "SaaS Co"), TxnDate="2026-11-01",
                          DueDate="2026-12-01", TotalAmt=100.00, Balance=100.00,
                          Line=_expense(100.00)))
    return {
        "CompanyInfo": [obj("1", CompanyName="Sandbox Agency", Country="US",
                             FiscalYearStartMonth="January", CompanyStartDate="2019-01-01")],
        "Preferences": [obj("1", CurrencyPrefs={"HomeCurrency": ref("CAD"),
                                                 "MultiCurrencyEnabled": False})],
        "Account": [
            obj("35", Name="Checking", AccountType="Bank", AccountSubType="Checking",
                 CurrentBalance=10000.00, Active=True, Classification="Asset",
                 CurrencyRef=ref("CAD")),
            obj("36", Name="Savings", AccountType="Bank", AccountSubType="Savings",
                 CurrentBalance=5000.00, Active=True, Classification="Asset"),
            obj("40", Name="Visa", AccountType="Credit Card", AccountSubType="CreditCard",
                 CurrentBalance=-345.50, Active=True, Classification="Liability"),
            obj("33", Name="Accounts Payable", AccountType="Accounts Payable", Active=True),
            obj("7", Name="Software", AccountType="Expense", Active=True),
        ],
        "Vendor": [obj("56", DisplayName="SaaS Co", Balance=500.00, Active=True),
                   obj("57", DisplayName="Rent LLC", Balance=700.00, Active=True)],
        "Customer": [obj("1001", DisplayName="Acme Corp", Balance=1150.00, Active=True,
                          PrimaryEmailAddr={"Address": "ap@acme.test"}),
                     obj("1002", DisplayName="Beta Corp", Balance=0, Active=True)],
        "Bill": bills,
        "BillPayment": [
            obj("301", VendorRef=ref("57"), PayType="Check", TxnDate="2026-10-10",
                 TotalAmt=500.00, CheckPayment={"BankAccountRef": ref("35")},
                 Line=[_pay_line(500.00, "102", "Bill")]),
            obj("302", VendorRef=ref("56"), PayType="Check", TxnDate="2026-09-20",
                 TotalAmt=300.00, CheckPayment={"BankAccountRef": ref("35")},
                 Line=[_pay_line(300.00, "103", "Bill")]),
        ],
        "Invoice": [
            obj("201", CustomerRef=ref("1001"), TxnDate="2026-10-01", DueDate="2026-10-31",
                 TotalAmt=1000.00, Balance=1000.00, EmailStatus="NeedToSend",
                 BillEmail={"Address": "ap@acme.test"}),
            obj("202", CustomerRef=ref("1002"), TxnDate="2026-09-01", DueDate="2026-10-01",
                 TotalAmt=800.00, Balance=0,
                 LinkedTxn=[{"TxnId": "401", "TxnType": "Payment"},
                            {"TxnId": "402", "TxnType": "Payment"}]),
            obj("203", CustomerRef=ref("1001"), TxnDate="2026-10-05", DueDate="2026-11-04",
                 TotalAmt=400.00, Balance=150.00,
                 LinkedTxn=[{"TxnId": "403", "TxnType": "Payment"}]),
        ],
        "Payment": [
            obj("401", CustomerRef=ref("1002"), TxnDate="2026-10-01", TotalAmt=500.00,
                 UnappliedAmt=0, DepositToAccountRef=ref("35"),
                 Line=[_pay_line(500.00, "202", "Invoice")]),
            obj("402", CustomerRef=ref("1002"), TxnDate="2026-10-15", TotalAmt=300.00,
                 UnappliedAmt=0, DepositToAccountRef=ref("35"),
                 Line=[_pay_line(300.00, "202", "Invoice")]),
            obj("403", CustomerRef=ref("1001"), TxnDate="2026-10-20", TotalAmt=250.00,
                 UnappliedAmt=0, Line=[_pay_line(250.00, "203", "Invoice")]),
        ],
        "CreditMemo": [obj("501", CustomerRef=ref("1002"), TxnDate="2026-10-02",
                            TotalAmt=100.00, RemainingCredit=100.00, Balance=100.00)],
        "Purchase": [
            obj("601", PaymentType="CreditCard", AccountRef=ref("40", "Visa"),
                 TxnDate="2026-10-03", TotalAmt=45.50, EntityRef=ref("56", "SaaS Co"),
                 Line=_expense(45.50)),
            obj("602", PaymentType="Check", AccountRef=ref("35", "Checking"),
                 TxnDate="2026-10-04", TotalAmt=120.00, Line=_expense(120.00)),
        ],
        "Transfer": [obj("701", FromAccountRef=ref("35"), ToAccountRef=ref("36"),
                          TxnDate="2026-10-06", Amount=1000.00)],
        "Deposit": [obj("801", DepositToAccountRef=ref("35"), TxnDate="2026-10-07",
                         TotalAmt=250.00,
                         Line=[{"Amount": 250.00, "DetailType": "DepositLineDetail",
                                "DepositLineDetail": {"AccountRef": ref("4")}}])],
    }


def malformed_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "Bill": [
            obj("901", VendorRef=ref("56"), TxnDate="2026-10-01", TotalAmt="twelve",
                 Balance="twelve"),
            obj("902", VendorRef=ref("56"), TxnDate="3024-01-01", TotalAmt=10, Balance=10),
            obj("903", TxnDate="2026-10-01", TotalAmt=10, Balance=10),
            obj("904", VendorRef=ref("999", "Ghost Vendor"), TxnDate="2026-10-01",
                 TotalAmt=75, Balance=75),
        ],
        "Estimate": [obj("950", CustomerRef=ref("1001"), TotalAmt=10)],
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
