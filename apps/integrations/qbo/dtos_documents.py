"""DTOs and parsers for the documents money is owed on or spent through: bills, invoices,
credit memos and purchases (rules in ``dtos.py``; each parser is a table of field readers, see
``dto_fields``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.integrations.qbo.dto_fields import (
    Fields,
    MoneyTxn,
    OpenDocument,
    amount,
    currency,
    doc_number,
    due_date,
    email_address,
    flag,
    head,
    home_balance,
    home_total,
    https_link,
    lines,
    linked_txns,
    parser,
    private_note,
    rate,
    ref,
    text,
    total,
    txn_date,
    voided,
)
from apps.integrations.qbo.reader import EXPENSE_DETAILS, SALES_DETAILS, LineSummary, Reader, Ref

# --- entities ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bill(OpenDocument):
    vendor_ref: Ref
    ap_account_ref: Ref | None = None

    @property
    def is_paid(self) -> bool:
        return self.balance == 0


@dataclass(frozen=True, slots=True)
class Invoice(OpenDocument):
    customer_ref: Ref
    deposit: Decimal
    email_status: str = ""
    bill_email: str = ""
    invoice_link: str = ""  # QuickBooks' pay-online page (`InvoiceLink`), when it has one


@dataclass(frozen=True, slots=True)
class CreditMemo(MoneyTxn):
    customer_ref: Ref
    balance: Decimal  # remaining credit (RemainingCredit, else Balance)
    doc_number: str = ""
    voided: bool = False


@dataclass(frozen=True, slots=True)
class Purchase(MoneyTxn):
    payment_type: str  # "Cash" | "Check" | "CreditCard"
    account_ref: Ref  # the bank / card account money left from
    entity_ref: Ref | None = None  # payee: Vendor / Customer / Employee (Ref.type)
    credit: bool = False  # a card refund (money in)
    doc_number: str = ""
    lines: tuple[LineSummary, ...] = ()
    voided: bool = False


# --- readers of one entity's own fields --------------------------------------------------------


def _invoice_contact(r: Reader, got: Fields) -> Fields:
    return {
        "bill_email": email_address(r.obj, "BillEmail"),
        "invoice_link": https_link(r.text("InvoiceLink")),
    }


def _remaining_credit(r: Reader, got: Fields) -> Fields:
    remaining = r.obj.get("RemainingCredit", r.obj.get("Balance"))
    return {"balance": r.amount_value(remaining, "RemainingCredit", default=got["total"])}


def _payment_type(r: Reader, got: Fields) -> Fields:
    payment_type = r.text("PaymentType")
    if payment_type not in ("Cash", "Check", "CreditCard"):
        raise r.fail(f"PaymentType must be Cash, Check or CreditCard, got {payment_type!r}")
    return {"payment_type": payment_type}


# --- parsers: each entity's fields in the order they are read ---------------------------------

_OPEN_HEAD = (head, txn_date, total, amount("balance", "Balance", default_to="total"), rate)
BILL_FIELDS = (
    *_OPEN_HEAD, ref("vendor_ref", "VendorRef", required=True), due_date, currency, home_total,
    home_balance, doc_number, ref("ap_account_ref", "APAccountRef"), lines(EXPENSE_DETAILS),
    linked_txns, private_note, voided(),
)
INVOICE_FIELDS = (
    *_OPEN_HEAD, ref("customer_ref", "CustomerRef", required=True), due_date,
    amount("deposit", "Deposit"), currency, home_total, home_balance, doc_number,
    text("email_status", "EmailStatus"), _invoice_contact, lines(SALES_DETAILS), linked_txns,
    private_note, voided(),
)
CREDIT_MEMO_FIELDS = (
    head, total, rate, ref("customer_ref", "CustomerRef", required=True), txn_date,
    _remaining_credit, currency, home_total, doc_number, private_note, voided(),
)
PURCHASE_FIELDS = (
    head, _payment_type, total, rate, ref("account_ref", "AccountRef", required=True), txn_date,
    currency, home_total, ref("entity_ref", "EntityRef"), flag("credit", "Credit", False),
    doc_number, lines(EXPENSE_DETAILS), private_note, voided(),
)


parse_bill = parser(Bill, "Bill", BILL_FIELDS)
parse_invoice = parser(Invoice, "Invoice", INVOICE_FIELDS)
parse_credit_memo = parser(CreditMemo, "CreditMemo", CREDIT_MEMO_FIELDS)
parse_purchase = parser(Purchase, "Purchase", PURCHASE_FIELDS)
