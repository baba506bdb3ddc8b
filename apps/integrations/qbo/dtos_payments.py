"""DTOs and parsers for money moving: bill payments, customer payments, deposits and
transfers (rules in ``dtos.py``; each parser is a table of field readers, see ``dto_fields``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.integrations.qbo.dto_fields import (
    Fields,
    MoneyTxn,
    QboTxn,
    amount,
    applied,
    currency,
    doc_number,
    head,
    home_total,
    parser,
    private_note,
    rate,
    ref,
    text,
    total,
    txn_date,
    voided,
)
from apps.integrations.qbo.reader import AppliedTxn, LinkedTxn, Reader, Ref

# --- entities ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BillPayment(MoneyTxn):
    vendor_ref: Ref
    pay_type: str  # "Check" | "CreditCard"
    account_ref: Ref  # CheckPayment.BankAccountRef or CreditCardPayment.CCAccountRef
    applied: tuple[AppliedTxn, ...] = ()
    doc_number: str = ""
    voided: bool = False

    @property
    def bills(self) -> tuple[AppliedTxn, ...]:
        return tuple(a for a in self.applied if a.txn_type == "Bill")


@dataclass(frozen=True, slots=True)
class Payment(MoneyTxn):
    customer_ref: Ref
    unapplied_amount: Decimal
    deposit_account_ref: Ref | None = None  # None: Undeposited Funds / not given
    applied: tuple[AppliedTxn, ...] = ()
    payment_ref_num: str = ""
    voided: bool = False

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
class Deposit(MoneyTxn):
    deposit_to_account_ref: Ref
    lines: tuple[DepositLine, ...] = ()
    voided: bool = False


@dataclass(frozen=True, slots=True)
class Transfer(QboTxn):
    from_account_ref: Ref
    to_account_ref: Ref
    amount: Decimal
    voided: bool = False


# --- readers of one entity's own fields --------------------------------------------------------


def _pay_account(r: Reader, got: Fields) -> Fields:
    """A BillPayment's PayType and the account it was paid from (the type says where)."""
    pay_type = r.text("PayType")
    if pay_type == "Check":
        account = r.ref("BankAccountRef", obj=r.obj.get("CheckPayment") or {})
    elif pay_type == "CreditCard":
        account = r.ref("CCAccountRef", obj=r.obj.get("CreditCardPayment") or {})
    else:
        raise r.fail(f"PayType must be Check or CreditCard, got {pay_type!r}")
    if account is None:
        where = "CheckPayment.BankAccountRef"
        if pay_type == "CreditCard":
            where = "CreditCardPayment.CCAccountRef"
        raise r.fail(f"missing {where}")
    return {"pay_type": pay_type, "account_ref": account}


def _deposit_lines(r: Reader, got: Fields) -> Fields:
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
    return {"lines": tuple(lines)}


# --- parsers: each entity's fields in the order they are read ---------------------------------

BILL_PAYMENT_FIELDS = (
    head, _pay_account, total, rate, ref("vendor_ref", "VendorRef", required=True), txn_date,
    currency, home_total, applied, doc_number, private_note, voided(),
)
PAYMENT_FIELDS = (
    head, total, rate, ref("customer_ref", "CustomerRef", required=True), txn_date,
    amount("unapplied_amount", "UnappliedAmt"), currency, home_total,
    ref("deposit_account_ref", "DepositToAccountRef"), applied,
    text("payment_ref_num", "PaymentRefNum"), private_note, voided(),
)
DEPOSIT_FIELDS = (
    head, total, rate, _deposit_lines,
    ref("deposit_to_account_ref", "DepositToAccountRef", required=True), txn_date, currency,
    home_total, private_note, voided(),
)
TRANSFER_FIELDS = (
    head, amount("amount", "Amount", required=True),
    ref("from_account_ref", "FromAccountRef", required=True),
    ref("to_account_ref", "ToAccountRef", required=True), txn_date, currency, rate, private_note,
    voided("amount"),
)


parse_bill_payment = parser(BillPayment, "BillPayment", BILL_PAYMENT_FIELDS)
parse_payment = parser(Payment, "Payment", PAYMENT_FIELDS)
parse_deposit = parser(Deposit, "Deposit", DEPOSIT_FIELDS)
parse_transfer = parser(Transfer, "Transfer", TRANSFER_FIELDS)
