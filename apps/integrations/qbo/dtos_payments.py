"""DTOs and parsers for money moving: bill payments, customer payments, deposits and
transfers (rules in ``dtos.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apps.integrations.qbo.reader import (
    AppliedTxn,
    LinkedTxn,
    Reader,
    Ref,
    applied_lines,
    base_fields,
    keep_raw_obj,
    raw_field,
)

# --- entities ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BillPayment:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    vendor_ref: Ref
    txn_date: date
    total: Decimal
    pay_type: str  # "Check" | "CreditCard"
    account_ref: Ref  # CheckPayment.BankAccountRef or CreditCardPayment.CCAccountRef
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    applied: tuple[AppliedTxn, ...] = ()
    doc_number: str = ""
    private_note: str = ""
    voided: bool = False
    raw: dict[str, Any] | None = raw_field()

    @property
    def bills(self) -> tuple[AppliedTxn, ...]:
        return tuple(a for a in self.applied if a.txn_type == "Bill")


@dataclass(frozen=True, slots=True)
class Payment:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    customer_ref: Ref
    txn_date: date
    total: Decimal
    unapplied_amount: Decimal
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    deposit_account_ref: Ref | None = None  # None: Undeposited Funds / not given
    applied: tuple[AppliedTxn, ...] = ()
    payment_ref_num: str = ""
    private_note: str = ""
    voided: bool = False
    raw: dict[str, Any] | None = raw_field()

    @property
    def invoices(self) -> tuple[AppliedTxn, ...]:
        return tuple(a for a in self.applied if a.txn_type == "Invoice")


@dataclass(frozen=True, slots=True)
class DepositLine:
    amount: Decimal
    linked_txns: tuple[LinkedTxn, ...] = ()  # e.g. a Payment moved out of Undeposited Funds
    account_ref: Ref | None = None
    entity_ref: Ref | None = None


@dataclass(frozen=True, slots=True)
class Deposit:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    deposit_to_account_ref: Ref
    txn_date: date
    total: Decimal
    currency: str
    exchange_rate: Decimal
    home_total: Decimal
    lines: tuple[DepositLine, ...] = ()
    private_note: str = ""
    voided: bool = False
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class Transfer:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    from_account_ref: Ref
    to_account_ref: Ref
    txn_date: date
    amount: Decimal
    currency: str
    exchange_rate: Decimal
    private_note: str = ""
    voided: bool = False
    raw: dict[str, Any] | None = raw_field()


# --- parsers --------------------------------------------------------------------------------


def parse_bill_payment(obj: dict[str, Any], *, keep_raw: bool = False) -> BillPayment:
    r = Reader("BillPayment", obj)
    base = base_fields(r)
    pay_type = r.text("PayType")
    if pay_type == "Check":
        account = r.ref("BankAccountRef", obj=obj.get("CheckPayment") or {})
    elif pay_type == "CreditCard":
        account = r.ref("CCAccountRef", obj=obj.get("CreditCardPayment") or {})
    else:
        raise r.fail(f"PayType must be Check or CreditCard, got {pay_type!r}")
    if account is None:
        where = "CheckPayment.BankAccountRef"
        if pay_type == "CreditCard":
            where = "CreditCardPayment.CCAccountRef"
        raise r.fail(f"missing {where}")
    total = r.amount("TotalAmt", required=True)
    rate = r.exchange_rate()
    return BillPayment(
        **base,
        vendor_ref=r.ref("VendorRef", required=True),
        txn_date=r.date("TxnDate"),
        total=total,
        pay_type=pay_type,
        account_ref=account,
        currency=r.currency(),
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        applied=applied_lines(r),
        doc_number=r.text("DocNumber"),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_payment(obj: dict[str, Any], *, keep_raw: bool = False) -> Payment:
    r = Reader("Payment", obj)
    base = base_fields(r)
    total = r.amount("TotalAmt", required=True)
    rate = r.exchange_rate()
    return Payment(
        **base,
        customer_ref=r.ref("CustomerRef", required=True),
        txn_date=r.date("TxnDate"),
        total=total,
        unapplied_amount=r.amount("UnappliedAmt"),
        currency=r.currency(),
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        deposit_account_ref=r.ref("DepositToAccountRef"),
        applied=applied_lines(r),
        payment_ref_num=r.text("PaymentRefNum"),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_deposit(obj: dict[str, Any], *, keep_raw: bool = False) -> Deposit:
    r = Reader("Deposit", obj)
    base = base_fields(r)
    total = r.amount("TotalAmt", required=True)
    rate = r.exchange_rate()
    lines = []
    for i, line in enumerate(r.list("Line")):
        if not isinstance(line, dict):
            continue
        detail = line.get("DepositLineDetail")
        detail = detail if isinstance(detail, dict) else {}
        lines.append(
            DepositLine(
                amount=r.amount_value(line.get("Amount"), f"Line[{i}].Amount", required=True),
                linked_txns=r.linked_txns(line),
                account_ref=r.ref("AccountRef", obj=detail),
                entity_ref=r.ref("Entity", obj=detail),
            )
        )
    return Deposit(
        **base,
        deposit_to_account_ref=r.ref("DepositToAccountRef", required=True),
        txn_date=r.date("TxnDate"),
        total=total,
        currency=r.currency(),
        exchange_rate=rate,
        home_total=r.home("HomeTotalAmt", total, rate),
        lines=tuple(lines),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_transfer(obj: dict[str, Any], *, keep_raw: bool = False) -> Transfer:
    r = Reader("Transfer", obj)
    base = base_fields(r)
    amount = r.amount("Amount", required=True)
    from_ref = r.ref("FromAccountRef", required=True)
    to_ref = r.ref("ToAccountRef", required=True)
    return Transfer(
        **base,
        from_account_ref=from_ref,
        to_account_ref=to_ref,
        txn_date=r.date("TxnDate"),
        amount=amount,
        currency=r.currency(),
        exchange_rate=r.exchange_rate(),
        private_note=r.text("PrivateNote"),
        voided=r.voided(amount),
        raw=keep_raw_obj(obj, keep_raw),
    )
