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
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apps.integrations.qbo.dto_fields import money_head
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
from apps.integrations.qbo.reader import (
    EXPENSE_DETAILS,
    LineSummary,
    Reader,
    Ref,
    base_fields,
    keep_raw_obj,
    raw_field,
    summary_lines,
)

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
class JournalEntry:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    txn_date: date
    currency: str
    exchange_rate: Decimal
    total: Decimal  # TotalAmt as given: 0 on real entries — the lines carry the money
    lines: tuple[JournalLine, ...] = ()
    doc_number: str = ""
    private_note: str = ""
    adjustment: bool = False
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class VendorCredit:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    vendor_ref: Ref
    txn_date: date
    total: Decimal
    balance: Decimal | None  # unapplied amount; None when QBO did not send Balance
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    doc_number: str = ""
    ap_account_ref: Ref | None = None
    lines: tuple[LineSummary, ...] = ()
    private_note: str = ""
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class Receipt:
    """A SalesReceipt or RefundReceipt (``entity`` says which)."""

    entity: str
    qbo_id: str
    sync_token: str
    last_updated: datetime
    txn_date: date
    total: Decimal
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    customer_ref: Ref | None = None
    deposit_to_account_ref: Ref | None = None
    balance: Decimal | None = None
    payment_method_ref: Ref | None = None
    doc_number: str = ""
    private_note: str = ""
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class CreditCardPayment:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    txn_date: date
    amount: Decimal
    bank_account_ref: Ref
    credit_card_account_ref: Ref
    currency: str
    exchange_rate: Decimal
    check_num: str = ""
    private_note: str = ""
    raw: dict[str, Any] | None = raw_field()


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


def parse_journal_entry(obj: dict[str, Any], *, keep_raw: bool = False) -> JournalEntry:
    r = Reader("JournalEntry", obj)
    base = base_fields(r)
    lines = []
    for i, line in enumerate(r.list("Line")):
        if isinstance(line, dict) and line.get("DetailType") == "JournalEntryLineDetail":
            lines.append(_journal_line(r, i, line))
    return JournalEntry(
        **base,
        txn_date=r.date("TxnDate"),
        currency=r.currency(),
        exchange_rate=r.exchange_rate(),
        total=r.amount("TotalAmt"),
        lines=tuple(lines),
        doc_number=r.text("DocNumber"),
        private_note=r.text("PrivateNote"),
        adjustment=r.bool("Adjustment", False),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_vendor_credit(obj: dict[str, Any], *, keep_raw: bool = False) -> VendorCredit:
    r = Reader("VendorCredit", obj)
    base = base_fields(r)
    total, currency, rate = money_head(r)
    balance = r.amount("Balance") if obj.get("Balance") not in (None, "") else None
    if balance is not None and balance < 0:
        raise r.fail(f"Balance is negative ({balance})")
    return VendorCredit(
        **base,
        vendor_ref=r.ref("VendorRef", required=True),
        txn_date=r.date("TxnDate"),
        total=total,
        balance=balance,
        currency=currency,
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        doc_number=r.text("DocNumber"),
        ap_account_ref=r.ref("APAccountRef"),
        lines=summary_lines(r, EXPENSE_DETAILS),
        private_note=r.text("PrivateNote"),
        raw=keep_raw_obj(obj, keep_raw),
    )


def _parse_receipt(entity: str, obj: dict[str, Any], keep_raw: bool) -> Receipt:
    r = Reader(entity, obj)
    base = base_fields(r)
    total, currency, rate = money_head(r)
    balance = r.amount("Balance") if obj.get("Balance") not in (None, "") else None
    return Receipt(
        entity=entity,
        **base,
        txn_date=r.date("TxnDate"),
        total=total,
        currency=currency,
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        customer_ref=r.ref("CustomerRef"),
        deposit_to_account_ref=r.ref("DepositToAccountRef"),
        balance=balance,
        payment_method_ref=r.ref("PaymentMethodRef"),
        doc_number=r.text("DocNumber"),
        private_note=r.text("PrivateNote"),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_sales_receipt(obj: dict[str, Any], *, keep_raw: bool = False) -> Receipt:
    return _parse_receipt("SalesReceipt", obj, keep_raw)


def parse_refund_receipt(obj: dict[str, Any], *, keep_raw: bool = False) -> Receipt:
    return _parse_receipt("RefundReceipt", obj, keep_raw)


def parse_credit_card_payment(
    obj: dict[str, Any], *, keep_raw: bool = False
) -> CreditCardPayment:
    r = Reader("CreditCardPayment", obj)
    base = base_fields(r)
    amount, currency, rate = money_head(r, "Amount")
    if amount < 0:
        raise r.fail(f"Amount is negative ({amount})")
    return CreditCardPayment(
        **base,
        txn_date=r.date("TxnDate"),
        amount=amount,
        bank_account_ref=r.ref("BankAccountRef", required=True),
        credit_card_account_ref=r.ref("CreditCardAccountRef", required=True),
        currency=currency,
        exchange_rate=rate,
        check_num=r.text("CheckNum"),
        private_note=r.text("PrivateNote"),
        raw=keep_raw_obj(obj, keep_raw),
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
