"""Typed builders of the bodies we send to QuickBooks (the outbox's handlers use them; domain
code never assembles ``LinkedTxn`` JSON). Ids are QBO ids; amounts are Decimal cents; ``note``
is the PrivateNote that carries the action's key (how a finder recognises what we wrote)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Link:
    """One line of a payment: ``amount`` linked to the transaction ``txn_type`` ``txn_id``."""

    amount: Decimal
    txn_type: str  # "Bill", "Invoice", "CreditMemo", "VendorCredit"
    txn_id: str

    def line(self) -> dict[str, Any]:
        return {"Amount": self.amount,
                "LinkedTxn": [{"TxnId": str(self.txn_id), "TxnType": self.txn_type}]}


def bill_payment(*, vendor: str, bank_account: str, txn_date: str, links: Iterable[Link],
                 total: Decimal, note: str, currency: str | None = None,
                 exchange_rate: Decimal | None = None) -> dict[str, Any]:
    """A BillPayment by check: pays bills (``total`` = the cash paid) or, with a zero total and
    a Bill line plus a VendorCredit line of the same amount, applies a vendor credit. For a bill
    in another currency QBO takes the amounts in that currency with its CurrencyRef and the
    ExchangeRate (home per unit)."""
    foreign: dict[str, Any] = {}
    if currency:
        foreign = {"CurrencyRef": {"value": str(currency)}, "ExchangeRate": exchange_rate}
    return {
        **foreign,
        "VendorRef": {"value": str(vendor)},
        "PayType": "Check",
        "TotalAmt": total,
        "TxnDate": str(txn_date),
        "CheckPayment": {"BankAccountRef": {"value": str(bank_account)}},
        "Line": [link.line() for link in links],
        "PrivateNote": note,
    }


def credit_memo_application(*, customer: str, txn_date: str, invoice: str, credit_memo: str,
                            amount: Decimal, note: str) -> dict[str, Any]:
    """QBO has no "apply" call: a credit memo is applied by a Payment with TotalAmt 0 and two
    lines of the same amount, one linked to the Invoice and one to the CreditMemo."""
    return {
        "CustomerRef": {"value": str(customer)},
        "TotalAmt": ZERO,
        "TxnDate": str(txn_date),
        "Line": [Link(amount, "Invoice", invoice).line(),
                 Link(amount, "CreditMemo", credit_memo).line()],
        "PrivateNote": note,
    }


def links_to(line: Any, txn_type: str, txn_id: str) -> bool:
    return isinstance(line, dict) and any(
        isinstance(t, dict) and t.get("TxnType") == txn_type and str(t.get("TxnId")) == txn_id
        for t in line.get("LinkedTxn") or []
    )


def linked_amount(entity: dict[str, Any], txn_type: str, txn_id: str) -> Decimal:
    """How much of ``entity``'s lines goes to ``txn_type`` ``txn_id``."""
    return sum((Decimal(str(x.get("Amount") or 0)) for x in entity.get("Line") or []
                if links_to(x, txn_type, str(txn_id))), ZERO)


def payment_application(current: dict[str, Any], *, invoice: str,
                        amount: Decimal) -> dict[str, Any]:
    """The sparse update of a Payment (``current``, as QBO has it) applying ``amount`` more of
    it to ``invoice``: every existing line is sent back, since QBO replaces the ``Line`` array;
    the line to that invoice grows, or a new one is added."""
    invoice = str(invoice)
    lines = [dict(x) for x in current.get("Line") or [] if isinstance(x, dict)]
    for line in lines:
        if links_to(line, "Invoice", invoice):
            line["Amount"] = Decimal(str(line.get("Amount") or 0)) + amount
            break
    else:
        lines.append(Link(amount, "Invoice", invoice).line())
    return {"Id": str(current["Id"]), "SyncToken": str(current["SyncToken"]), "Line": lines}


def expense_bill(*, vendor: str, txn_date: str, amount: Decimal, account: str, description: str,
                 note: str, doc_number: str = "", due_date: str = "",
                 currency: str = "") -> dict[str, Any]:
    """A Bill with one account-based expense line."""
    body: dict[str, Any] = {
        "VendorRef": {"value": str(vendor)},
        "TxnDate": txn_date,
        "Line": [{
            "Amount": amount,
            "DetailType": "AccountBasedExpenseLineDetail",
            "Description": description,
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account}},
        }],
        "PrivateNote": note,
    }
    if doc_number:
        body["DocNumber"] = str(doc_number)[:21]  # QBO's DocNumber limit
    if due_date:
        body["DueDate"] = due_date
    if currency:
        body["CurrencyRef"] = {"value": currency}
    return body
