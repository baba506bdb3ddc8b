"""DTOs and parsers for the documents money is owed on or spent through: bills, invoices,
credit memos and purchases (rules in ``dtos.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apps.integrations.qbo.dto_fields import email_address, https_link
from apps.integrations.qbo.reader import (
    EXPENSE_DETAILS,
    SALES_DETAILS,
    LineSummary,
    LinkedTxn,
    Reader,
    Ref,
    base_fields,
    keep_raw_obj,
    raw_field,
    summary_lines,
)

# --- entities ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bill:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    vendor_ref: Ref
    txn_date: date
    due_date: date  # QBO defaults DueDate to TxnDate; so do we when it is missing
    total: Decimal
    balance: Decimal
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    home_balance: Decimal
    doc_number: str = ""
    ap_account_ref: Ref | None = None
    lines: tuple[LineSummary, ...] = ()
    linked_txns: tuple[LinkedTxn, ...] = ()
    private_note: str = ""
    voided: bool = False
    raw: dict[str, Any] | None = raw_field()

    @property
    def is_paid(self) -> bool:
        return self.balance == 0


@dataclass(frozen=True, slots=True)
class Invoice:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    customer_ref: Ref
    txn_date: date
    due_date: date
    total: Decimal
    balance: Decimal
    deposit: Decimal
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    home_balance: Decimal
    doc_number: str = ""
    email_status: str = ""
    bill_email: str = ""
    lines: tuple[LineSummary, ...] = ()
    linked_txns: tuple[LinkedTxn, ...] = ()
    private_note: str = ""
    voided: bool = False
    invoice_link: str = ""  # QuickBooks' pay-online page (`InvoiceLink`), when it has one
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class CreditMemo:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    customer_ref: Ref
    txn_date: date
    total: Decimal
    balance: Decimal  # remaining credit (RemainingCredit, else Balance)
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    doc_number: str = ""
    private_note: str = ""
    voided: bool = False
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class Purchase:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    payment_type: str  # "Cash" | "Check" | "CreditCard"
    account_ref: Ref  # the bank / card account money left from
    txn_date: date
    total: Decimal
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    entity_ref: Ref | None = None  # payee: Vendor / Customer / Employee (Ref.type)
    credit: bool = False  # a card refund (money in)
    doc_number: str = ""
    lines: tuple[LineSummary, ...] = ()
    private_note: str = ""
    voided: bool = False
    raw: dict[str, Any] | None = raw_field()


# --- parsers --------------------------------------------------------------------------------


def parse_bill(obj: dict[str, Any], *, keep_raw: bool = False) -> Bill:
    r = Reader("Bill", obj)
    base = base_fields(r)
    txn_date = r.date("TxnDate")
    total = r.amount("TotalAmt", required=True)
    balance = r.amount("Balance", default=total)
    rate = r.exchange_rate()
    return Bill(
        **base,
        vendor_ref=r.ref("VendorRef", required=True),
        txn_date=txn_date,
        due_date=r.date("DueDate", required=False) or txn_date,
        total=total,
        balance=balance,
        currency=r.currency(),
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        home_balance=r.home("HomeBalance", balance, rate),
        doc_number=r.text("DocNumber"),
        ap_account_ref=r.ref("APAccountRef"),
        lines=summary_lines(r, EXPENSE_DETAILS),
        linked_txns=r.linked_txns(),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_invoice(obj: dict[str, Any], *, keep_raw: bool = False) -> Invoice:
    r = Reader("Invoice", obj)
    base = base_fields(r)
    txn_date = r.date("TxnDate")
    total = r.amount("TotalAmt", required=True)
    balance = r.amount("Balance", default=total)
    rate = r.exchange_rate()
    return Invoice(
        **base,
        customer_ref=r.ref("CustomerRef", required=True),
        txn_date=txn_date,
        due_date=r.date("DueDate", required=False) or txn_date,
        total=total,
        balance=balance,
        deposit=r.amount("Deposit"),
        currency=r.currency(),
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        home_balance=r.home("HomeBalance", balance, rate),
        doc_number=r.text("DocNumber"),
        email_status=r.text("EmailStatus"),
        bill_email=email_address(obj, "BillEmail"),
        invoice_link=https_link(r.text("InvoiceLink")),
        lines=summary_lines(r, SALES_DETAILS),
        linked_txns=r.linked_txns(),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_credit_memo(obj: dict[str, Any], *, keep_raw: bool = False) -> CreditMemo:
    r = Reader("CreditMemo", obj)
    base = base_fields(r)
    total = r.amount("TotalAmt", required=True)
    rate = r.exchange_rate()
    remaining = obj.get("RemainingCredit", obj.get("Balance"))
    return CreditMemo(
        **base,
        customer_ref=r.ref("CustomerRef", required=True),
        txn_date=r.date("TxnDate"),
        total=total,
        balance=r.amount_value(remaining, "RemainingCredit", default=total),
        currency=r.currency(),
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        doc_number=r.text("DocNumber"),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_purchase(obj: dict[str, Any], *, keep_raw: bool = False) -> Purchase:
    r = Reader("Purchase", obj)
    base = base_fields(r)
    payment_type = r.text("PaymentType")
    if payment_type not in ("Cash", "Check", "CreditCard"):
        raise r.fail(f"PaymentType must be Cash, Check or CreditCard, got {payment_type!r}")
    total = r.amount("TotalAmt", required=True)
    rate = r.exchange_rate()
    return Purchase(
        **base,
        payment_type=payment_type,
        account_ref=r.ref("AccountRef", required=True),
        txn_date=r.date("TxnDate"),
        total=total,
        currency=r.currency(),
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        entity_ref=r.ref("EntityRef"),
        credit=r.bool("Credit", False),
        doc_number=r.text("DocNumber"),
        lines=summary_lines(r, EXPENSE_DETAILS),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=keep_raw_obj(obj, keep_raw),
    )
