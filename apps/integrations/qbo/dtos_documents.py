"""DTOs and parsers for the documents money is owed on or spent through: bills, invoices,
credit memos and purchases (rules in ``dtos.py``; each parser is a table of field readers, see
``dto_fields``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.integrations.qbo import dto_fields as read
from apps.integrations.qbo.dto_fields import (
    Fields,
    MoneyTxn,
    OpenDocument,
    email_address,
    https_link,
    parser,
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


def _invoice_contact(r: Reader, got: Fields) -> None:
    got["bill_email"] = email_address(r.obj, "BillEmail")
    got["invoice_link"] = https_link(r.text("InvoiceLink"))


def _remaining_credit(r: Reader, got: Fields) -> None:
    remaining = r.obj.get("RemainingCredit", r.obj.get("Balance"))
    got["balance"] = r.amount_value(remaining, "RemainingCredit", default=got["total"])


def _payment_type(r: Reader, got: Fields) -> None:
    payment_type = r.text("PaymentType")
    if payment_type not in ("Cash", "Check", "CreditCard"):
        raise r.fail(f"PaymentType must be Cash, Check or CreditCard, got {payment_type!r}")
    got["payment_type"] = payment_type


# --- parsers: each entity's fields in the order they are read ---------------------------------

_OPEN_HEAD = (
    read.head, read.txn_date, read.total, read.amount("balance", "Balance", default_to="total"),
    read.rate,
)
BILL_FIELDS = (
    *_OPEN_HEAD, read.ref("vendor_ref", "VendorRef", required=True), read.due_date, read.currency,
    read.home_total, read.home_balance, read.doc_number, read.ref("ap_account_ref", "APAccountRef"),
    read.lines(EXPENSE_DETAILS), read.linked_txns, read.private_note, read.voided(),
)
INVOICE_FIELDS = (
    *_OPEN_HEAD, read.ref("customer_ref", "CustomerRef", required=True), read.due_date,
    read.amount("deposit", "Deposit"), read.currency, read.home_total, read.home_balance,
    read.doc_number, read.text("email_status", "EmailStatus"), _invoice_contact,
    read.lines(SALES_DETAILS), read.linked_txns, read.private_note, read.voided(),
)
CREDIT_MEMO_FIELDS = (
    read.head, read.total, read.rate, read.ref("customer_ref", "CustomerRef", required=True),
    read.txn_date, _remaining_credit, read.currency, read.home_total, read.doc_number,
    read.private_note, read.voided(),
)
PURCHASE_FIELDS = (
    read.head, _payment_type, read.total, read.rate,
    read.ref("account_ref", "AccountRef", required=True), read.txn_date, read.currency,
    read.home_total, read.ref("entity_ref", "EntityRef"), read.flag("credit", "Credit", False),
    read.doc_number, read.lines(EXPENSE_DETAILS), read.private_note, read.voided(),
)


parse_bill = parser(Bill, "Bill", BILL_FIELDS)
parse_invoice = parser(Invoice, "Invoice", INVOICE_FIELDS)
parse_credit_memo = parser(CreditMemo, "CreditMemo", CREDIT_MEMO_FIELDS)
parse_purchase = parser(Purchase, "Purchase", PURCHASE_FIELDS)
