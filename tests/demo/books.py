"""Read a generated company back from its files, the way a QBO/Plaid client would."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path


def load_qbo(root: Path) -> dict[str, list[dict]]:
    out = {}
    for path in sorted((root / "qbo").glob("*.json")):
        data = json.loads(path.read_text(), parse_float=Decimal)
        assert list(data) == [path.stem], path
        out[path.stem] = data[path.stem]
    return out


def load_plaid(root: Path) -> tuple[list[dict], list[dict]]:
    accounts = json.loads((root / "plaid" / "accounts.json").read_text(),
                          parse_float=Decimal)["accounts"]
    txns = json.loads((root / "plaid" / "transactions.json").read_text(),
                      parse_float=Decimal)["transactions"]
    return accounts, txns


def load_summary(root: Path) -> dict:
    return json.loads((root / "summary.json").read_text())


def d(s: str) -> date:
    return date.fromisoformat(s)


def feed_account_ids(qbo: dict) -> tuple[set[str], str]:
    banks = {a["Id"] for a in qbo["Account"] if a["AccountType"] == "Bank"}
    card = next(a["Id"] for a in qbo["Account"] if a["AccountType"] == "Credit Card")
    return banks, card


def movements(qbo: dict) -> list[tuple[str, date, Decimal, str]]:
    """(account id, date, amount with Plaid's sign, entity) for every QBO transaction that
    moves money through a bank or card account. Positive = out of a bank / charge on card."""
    banks, card = feed_account_ids(qbo)
    feeds = banks | {card}
    out = []

    def add(acct: str, when: str, cash_in: Decimal, entity: str) -> None:
        if acct in banks:
            out.append((acct, d(when), -cash_in, entity))
        elif acct == card:
            out.append((acct, d(when), -cash_in, entity))  # a payment lowers what is owed

    for p in qbo["Payment"]:
        add(p["DepositToAccountRef"]["value"], p["TxnDate"], p["TotalAmt"], "Payment")
    for dep in qbo["Deposit"]:
        add(dep["DepositToAccountRef"]["value"], dep["TxnDate"], dep["TotalAmt"], "Deposit")
    for bp in qbo["BillPayment"]:
        acct = (bp["CheckPayment"]["BankAccountRef"] if bp["PayType"] == "Check"
                else bp["CreditCardPayment"]["CCAccountRef"])["value"]
        add(acct, bp["TxnDate"], -bp["TotalAmt"], "BillPayment")
    for p in qbo["Purchase"]:
        add(p["AccountRef"]["value"], p["TxnDate"], -p["TotalAmt"], "Purchase")
    for t in qbo["Transfer"]:
        add(t["FromAccountRef"]["value"], t["TxnDate"], -t["Amount"], "Transfer")
        add(t["ToAccountRef"]["value"], t["TxnDate"], t["Amount"], "Transfer")
    return [m for m in out if m[0] in feeds]


def opening_balances(qbo: dict) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for je in qbo["JournalEntry"]:
        for line in je["Line"]:
            detail = line["JournalEntryLineDetail"]
            sign = 1 if detail["PostingType"] == "Debit" else -1
            out[detail["AccountRef"]["value"]] += sign * line["Amount"]
    return out
