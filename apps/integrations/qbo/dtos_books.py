"""DTOs and strict parsers for the entities real agencies' books add (DESIGN §4b): journal
entries, vendor credits, sales and refund receipts, credit card payments, exchange rates, the
company's currencies, classes, departments and employees (those reference types live in
``dtos_reference.py`` and are re-exported here).

Same rules as ``dtos.py``: one object exactly as QBO returns it in, a frozen DTO or a
:class:`MappingError` with a readable reason out; unknown fields are ignored.

Two shapes differ from every other entity:
- **ExchangeRate** objects have no ``Id``. Their DTO's ``qbo_id`` is the stand-in key
  ``"<source>:<target>:<AsOfDate>"`` (see :func:`exchange_rate_key`), and ``SyncToken`` /
  ``MetaData`` are optional.
- **CreditCardPayment** is queried and synced under that name, but QBO's responses carry it
  under ``CreditCardPaymentTxn`` (the client maps the key; parsers never see it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.integrations.qbo import dto_fields as read
from apps.integrations.qbo.dto_fields import Fields, MoneyTxn, QboTxn, parser
from apps.integrations.qbo.dtos_reference import (  # noqa: F401 — re-exported
    CompanyCurrency,
    Employee,
    ExchangeRate,
    Segment,
    exchange_rate_key,
    parse_class,
    parse_company_currency,
    parse_department,
    parse_employee,
    parse_exchange_rate,
)
from apps.integrations.qbo.reader import EXPENSE_DETAILS, LineSummary, Reader, Ref

POSTING_TYPES = ("Debit", "Credit")
JOURNAL_ENTITY_TYPES = ("Vendor", "Customer", "Employee")


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One ``JournalEntryLineDetail`` line: ``amount`` posted as Debit or Credit."""

    amount: Decimal
    posting_type: str  # "Debit" | "Credit"
    account_ref: Ref
    line_id: str = ""
    description: str = ""
    entity_type: str = ""  # "Vendor" | "Customer" | "Employee" | ""
    entity_ref: Ref | None = None
    class_ref: Ref | None = None
    department_ref: Ref | None = None


@dataclass(frozen=True, slots=True)
class JournalEntry(QboTxn):
    total: Decimal  # TotalAmt as given: 0 on real entries — the lines carry the money
    lines: tuple[JournalLine, ...] = ()
    doc_number: str = ""
    adjustment: bool = False


@dataclass(frozen=True, slots=True)
class VendorCredit(MoneyTxn):
    vendor_ref: Ref
    balance: Decimal | None  # unapplied amount; None when QBO did not send Balance
    doc_number: str = ""
    ap_account_ref: Ref | None = None
    lines: tuple[LineSummary, ...] = ()


@dataclass(frozen=True, slots=True)
class Receipt(MoneyTxn):
    """A SalesReceipt or RefundReceipt (``entity`` says which)."""

    entity: str
    customer_ref: Ref | None = None
    deposit_to_account_ref: Ref | None = None
    balance: Decimal | None = None
    payment_method_ref: Ref | None = None
    doc_number: str = ""


@dataclass(frozen=True, slots=True)
class CreditCardPayment(QboTxn):
    amount: Decimal
    bank_account_ref: Ref
    credit_card_account_ref: Ref
    check_num: str = ""


# --- parsers ---------------------------------------------------------------------------------


def _journal_line(r: Reader, i: int, line: dict[str, Any]) -> JournalLine:
    where = f"Line[{i}]"
    detail = line.get("JournalEntryLineDetail")
    if not isinstance(detail, dict):
        raise r.fail(f"{where} has no JournalEntryLineDetail")
    posting = str(detail.get("PostingType") or "")
    if posting not in POSTING_TYPES:
        raise r.fail(f"{where}.PostingType must be Debit or Credit, got {posting!r}")
    amount = r.amount_value(line.get("Amount"), f"{where}.Amount", required=True)
    if amount < 0:
        raise r.fail(f"{where}.Amount is negative ({amount})")
    account = r.ref("AccountRef", obj=detail)
    if account is None:
        raise r.fail(f"{where} has no AccountRef")
    entity_type, entity_ref = "", None
    entity = detail.get("Entity")
    if isinstance(entity, dict):
        entity_type = str(entity.get("Type") or "")
        entity_ref = r.ref("EntityRef", obj=entity)
        if entity_ref is not None and entity_type not in JOURNAL_ENTITY_TYPES:
            raise r.fail(
                f"{where}.Entity.Type must be Vendor, Customer or Employee, got {entity_type!r}"
            )
        if entity_ref is None:
            entity_type = ""
    return JournalLine(
        amount=amount,
        posting_type=posting,
        account_ref=account,
        line_id=str(line.get("Id") or ""),
        description=str(line.get("Description") or ""),
        entity_type=entity_type,
        entity_ref=entity_ref,
        class_ref=r.ref("ClassRef", obj=detail),
        department_ref=r.ref("DepartmentRef", obj=detail),
    )


def _journal_lines(r: Reader, got: Fields) -> None:
    got["lines"] = tuple(
        _journal_line(r, i, line)
        for i, line in enumerate(r.list("Line"))
        if isinstance(line, dict) and line.get("DetailType") == "JournalEntryLineDetail"
    )


# --- parsers: each entity's fields in the order they are read ---------------------------------

JOURNAL_ENTRY_FIELDS = (
    read.head, _journal_lines, read.txn_date, read.currency, read.rate,
    read.amount("total", "TotalAmt"), read.doc_number, read.private_note,
    read.flag("adjustment", "Adjustment", False),
)
VENDOR_CREDIT_FIELDS = (
    read.head, read.total, read.currency, read.rate, read.sent_balance,
    read.not_negative("balance", "Balance"), read.ref("vendor_ref", "VendorRef", required=True),
    read.txn_date, read.home_total, read.doc_number, read.ref("ap_account_ref", "APAccountRef"),
    read.lines(EXPENSE_DETAILS), read.private_note,
)
RECEIPT_FIELDS = (
    read.head, read.total, read.currency, read.rate, read.sent_balance, read.txn_date,
    read.home_total, read.ref("customer_ref", "CustomerRef"),
    read.ref("deposit_to_account_ref", "DepositToAccountRef"),
    read.ref("payment_method_ref", "PaymentMethodRef"), read.doc_number, read.private_note,
)
CREDIT_CARD_PAYMENT_FIELDS = (
    read.head, read.amount("amount", "Amount", required=True), read.currency, read.rate,
    read.not_negative("amount", "Amount"), read.txn_date,
    read.ref("bank_account_ref", "BankAccountRef", required=True),
    read.ref("credit_card_account_ref", "CreditCardAccountRef", required=True),
    read.text("check_num", "CheckNum"), read.private_note,
)


parse_journal_entry = parser(JournalEntry, "JournalEntry", JOURNAL_ENTRY_FIELDS)
parse_vendor_credit = parser(VendorCredit, "VendorCredit", VENDOR_CREDIT_FIELDS)
parse_sales_receipt = parser(Receipt, "SalesReceipt", RECEIPT_FIELDS, entity="SalesReceipt")
parse_refund_receipt = parser(Receipt, "RefundReceipt", RECEIPT_FIELDS, entity="RefundReceipt")
parse_credit_card_payment = parser(
    CreditCardPayment, "CreditCardPayment", CREDIT_CARD_PAYMENT_FIELDS
)


BOOK_PARSERS = {
    "JournalEntry": parse_journal_entry,
    "VendorCredit": parse_vendor_credit,
    "SalesReceipt": parse_sales_receipt,
    "RefundReceipt": parse_refund_receipt,
    "CreditCardPayment": parse_credit_card_payment,
    "ExchangeRate": parse_exchange_rate,
    "CompanyCurrency": parse_company_currency,
    "Class": parse_class,
    "Department": parse_department,
    "Employee": parse_employee,
}
