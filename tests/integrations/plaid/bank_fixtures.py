"""Small bank directories in Plaid's wire format for the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CHECKING = "BxBXxLj1m4HMXBm9WZZmCWVbPjX16EHwv99vp"
CARD = "dVzbVMLjrxTnLjX4G66XUp5GLklm4oiZy88yK"

ACCOUNTS: list[dict[str, Any]] = [
    {
        "account_id": CHECKING,
        "balances": {
            "available": 100,
            "current": 110.94,
            "iso_currency_code": "USD",
            "limit": None,
            "unofficial_currency_code": None,
        },
        "mask": "0000",
        "name": "Plaid Checking",
        "official_name": "Plaid Gold Standard 0% Interest Checking",
        "subtype": "checking",
        "type": "depository",
        "persistent_account_id": "8cfb8beb89b774ee43b090625f0d61d0814322b43bff984eaf60386e",
        "holder_category": "personal",
    },
    {
        "account_id": CARD,
        "balances": {
            "available": None,
            "current": 410,
            "iso_currency_code": "USD",
            "limit": 2000,
            "unofficial_currency_code": None,
        },
        "mask": "3333",
        "name": "Plaid Credit Card",
        "official_name": "Plaid Diamond 12.5% APR Interest Credit Card",
        "subtype": "credit card",
        "type": "credit",
    },
]

# A Transaction exactly as /transactions/sync returns it (Plaid API reference sample, with
# every optional block filled in).
FULL_TRANSACTION: dict[str, Any] = {
    "account_id": CHECKING,
    "account_owner": None,
    "amount": 72.1,
    "iso_currency_code": "USD",
    "unofficial_currency_code": None,
    "category": ["Shops", "Supermarkets and Groceries"],
    "category_id": "19046000",
    "check_number": None,
    "counterparties": [
        {
            "name": "Walmart",
            "type": "merchant",
            "logo_url": "https://plaid-merchant-logos.plaid.com/walmart_1100.png",
            "website": "walmart.com",
            "entity_id": "O5W5j4dN9OR3E6ypQmjdkWZZRoXEzVMz2ByWM",
            "confidence_level": "VERY_HIGH",
        }
    ],
    "date": "2023-09-24",
    "datetime": "2023-09-24T11:01:01Z",
    "authorized_date": "2023-09-22",
    "authorized_datetime": "2023-09-22T10:34:50Z",
    "location": {
        "address": "13425 Community Rd",
        "city": "Poway",
        "region": "CA",
        "postal_code": "92064",
        "country": "US",
        "lat": 32.959068,
        "lon": -117.037666,
        "store_number": "1700",
    },
    "name": "PURCHASE WM SUPERCENTER #1700",
    "merchant_name": "Walmart",
    "merchant_entity_id": "O5W5j4dN9OR3E6ypQmjdkWZZRoXEzVMz2ByWM",
    "logo_url": "https://plaid-merchant-logos.plaid.com/walmart_1100.png",
    "website": "walmart.com",
    "payment_meta": {
        "by_order_of": None,
        "payee": None,
        "payer": None,
        "payment_method": None,
        "payment_processor": None,
        "ppd_id": None,
        "reason": None,
        "reference_number": None,
    },
    "payment_channel": "in store",
    "pending": False,
    "pending_transaction_id": "no86Eox18VHMvaOVL7gPUM9ap3aR1LsAVZ5nc",
    "personal_finance_category": {
        "primary": "GENERAL_MERCHANDISE",
        "detailed": "GENERAL_MERCHANDISE_SUPERSTORES",
        "confidence_level": "VERY_HIGH",
    },
    "personal_finance_category_icon_url": (
        "https://plaid-category-icons.plaid.com/PFC_GENERAL_MERCHANDISE.png"
    ),
    "transaction_id": "lPNjeW1nR6CDn5okmGQ6hEpMo4lLNoSrzqDje",
    "transaction_code": None,
    "transaction_type": "place",
}


def minimal(tid: str, amount: Any, day: str = "2024-03-01", **extra: Any) -> dict[str, Any]:
    return {
        "transaction_id": tid,
        "account_id": CHECKING,
        "amount": amount,
        "date": day,
        "name": f"Txn {tid}",
        **extra,
    }


def base_transactions() -> list[dict[str, Any]]:
    rows = [FULL_TRANSACTION]
    rows += [minimal(f"t{i:02d}", i * 10 + 0.25, f"2024-03-{i:02d}") for i in range(1, 11)]
    rows.append(minimal("deposit", -2500, "2024-03-12", name="CLIENT ACH"))
    rows.append(minimal("pend1", 45.5, "2024-03-14", pending=True, name="UBER PENDING"))
    rows.append({**minimal("card1", 19.99, "2024-03-13"), "account_id": CARD})
    return rows


def write_bank(
    directory: Path, transactions: list[Any] | None = None, accounts: list[Any] | None = None
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "accounts.json").write_text(json.dumps({"accounts": accounts or ACCOUNTS}))
    rows = base_transactions() if transactions is None else transactions
    (directory / "transactions.json").write_text(json.dumps({"transactions": rows}))
    return directory
