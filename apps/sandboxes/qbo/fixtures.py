"""Tiny company directories for tests and examples (not the demo generator)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STAMP = "2026-11-01T09:00:00-07:00"


def write_company(directory: str | Path, entities: dict[str, list[dict[str, Any]]]) -> Path:
    """Write `{"<Entity>": [...]}` files into `directory` (created if needed)."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for name, objects in entities.items():
        (path / f"{name}.json").write_text(json.dumps({name: objects}, indent=1), "utf-8")
    return path


def _meta(stamp: str = STAMP) -> dict[str, str]:
    return {"CreateTime": stamp, "LastUpdatedTime": stamp}


def small_company(directory: str | Path, *, bills: int = 5, invoices: int = 5) -> Path:
    """A consistent little agency: 1 bank account, 2 vendors, 2 customers, open bills/invoices."""
    vendors = [
        {
            "Id": "1",
            "DisplayName": "Rent Co",
            "Balance": 0,
            "Active": True,
            "SyncToken": "0",
            "MetaData": _meta(),
        },
        {
            "Id": "2",
            "DisplayName": "Cloud SaaS",
            "Balance": 0,
            "Active": True,
            "SyncToken": "0",
            "MetaData": _meta(),
        },
    ]
    customers = [
        {
            "Id": "3",
            "DisplayName": "Acme Corp",
            "Balance": 0,
            "Active": True,
            "SyncToken": "0",
            "MetaData": _meta(),
        },
        {
            "Id": "4",
            "DisplayName": "Globex",
            "Balance": 0,
            "Active": True,
            "SyncToken": "0",
            "MetaData": _meta(),
        },
    ]
    accounts = [
        {
            "Id": "10",
            "Name": "Checking",
            "AccountType": "Bank",
            "AccountSubType": "Checking",
            "Classification": "Asset",
            "CurrentBalance": 50000.00,
            "Active": True,
            "SyncToken": "0",
            "MetaData": _meta(),
        },
        {
            "Id": "11",
            "Name": "Accounts Payable (A/P)",
            "AccountType": "Accounts Payable",
            "CurrentBalance": 0,
            "Active": True,
            "SyncToken": "0",
            "MetaData": _meta(),
        },
    ]
    bill_list, invoice_list = [], []
    next_id = 100
    for n in range(bills):
        amount = 100 + n
        vendor = vendors[n % 2]
        bill_list.append(
            {
                "Id": str(next_id),
                "SyncToken": "0",
                "domain": "QBO",
                "sparse": False,
                "VendorRef": {"value": vendor["Id"], "name": vendor["DisplayName"]},
                "TxnDate": "2026-11-01",
                "DueDate": f"2026-12-{(n % 28) + 1:02d}",
                "TotalAmt": amount,
                "Balance": amount,
                "CurrencyRef": {"value": "USD"},
                "Line": [
                    {
                        "Id": "1",
                        "Amount": amount,
                        "DetailType": "AccountBasedExpenseLineDetail",
                        "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "11"}},
                    }
                ],
                "MetaData": _meta(f"2026-11-{(n % 27) + 1:02d}T09:00:00-07:00"),
            }
        )
        vendor["Balance"] += amount
        next_id += 1
    for n in range(invoices):
        amount = 1000 + n * 10
        customer = customers[n % 2]
        invoice_list.append(
            {
                "Id": str(next_id),
                "SyncToken": "0",
                "DocNumber": str(1000 + n),
                "CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
                "TxnDate": "2026-11-01",
                "DueDate": f"2026-12-{(n % 28) + 1:02d}",
                "TotalAmt": amount,
                "Balance": amount,
                "EmailStatus": "NotSet",
                "Line": [
                    {
                        "Id": "1",
                        "LineNum": 1,
                        "Amount": amount,
                        "DetailType": "SalesItemLineDetail",
                        "SalesItemLineDetail": {"ItemRef": {"value": "1", "name": "Services"}},
                    },
                    {
                        "Amount": amount,
                        "DetailType": "SubTotalLineDetail",
                        "SubTotalLineDetail": {},
                    },
                ],
                "MetaData": _meta(f"2026-11-{(n % 27) + 1:02d}T10:00:00-07:00"),
            }
        )
        customer["Balance"] += amount
        next_id += 1
    return write_company(
        directory,
        {
            "CompanyInfo": [
                {
                    "Id": "1",
                    "CompanyName": "Sandbox Agency LLC",
                    "Country": "US",
                    "FiscalYearStartMonth": "January",
                    "CompanyStartDate": "2020-01-01",
                    "SyncToken": "0",
                    "MetaData": _meta(),
                }
            ],
            "Preferences": [
                {
                    "Id": "1",
                    "CurrencyPrefs": {
                        "HomeCurrency": {"value": "USD"},
                        "MultiCurrencyEnabled": False,
                    },
                    "SyncToken": "0",
                    "MetaData": _meta(),
                }
            ],
            "Account": accounts,
            "Vendor": vendors,
            "Customer": customers,
            "Bill": bill_list,
            "Invoice": invoice_list,
        },
    )
