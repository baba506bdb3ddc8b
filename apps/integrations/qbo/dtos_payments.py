"""DTOs and parsers for money moving: bill payments, customer payments, deposits and
transfers (rules in ``dtos.py``; each parser is a table of field readers, see ``dto_fields``)."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from decimal import Decimal

from apps.integrations.qbo import dto_fields as read
from apps.integrations.qbo.dto_fields import Fields, MoneyTxn, QboTxn, parser
from apps.integrations.qbo.reader import AppliedTxn, LinkedTxn, Reader, Ref

# --- entities ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppliedPayment(MoneyTxn):
    """A payment whose lines apply it to other transactions (bills, invoices, credit memos)."""

    _: KW_ONLY
    applied: tuple[AppliedTxn, ...] = ()
    voided: bool = False

    def applied_to(self, txn_type: str) -> tuple[AppliedTxn, ...]:
        return tuple(a for a in self.applied if a.txn_type == txn_type)


@dataclass(frozen=True, slots=True)
class BillPayment(AppliedPayment):
    vendor_ref: Ref
    pay_type: str  # "Check" | "CreditCard"
    account_ref: Ref  # CheckPayment.BankAccountRef or CreditCardPayment.CCAccountRef
    doc_number: str = ""

    @property
    def bills(self) -> tuple[AppliedTxn, ...]:
        return self.applied_to("Bill")


@dataclass(frozen=True, slots=True)
class Payment(AppliedPayment):
    customer_ref: Ref
    unapplied_amount: Decimal
    deposit_account_ref: Ref | None = None  # None: Undeposited Funds / not given
    payment_ref_num: str = ""

    @property
    def invoices(self) -> tuple[AppliedTxn, ...]:
        return self.applied_to("Invoice")


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


def _pay_account(r: Reader, got: Fields) -> None:
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
    got["pay_type"], got["account_ref"] = pay_type, account


def _deposit_lines(r: Reader, got: Fields) -> None:
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
    got["lines"] = tuple(lines)


# --- parsers: each entity's fields in the order they are read ---------------------------------

BILL_PAYMENT_FIELDS = (
    read.head, _pay_account, read.total, read.rate,
    read.ref("vendor_ref", "VendorRef", required=True), read.txn_date, read.currency,
    read.home_total, read.applied, read.doc_number, read.private_note, read.voided(),
)
PAYMENT_FIELDS = (
    read.head, read.total, read.rate, read.ref("customer_ref", "CustomerRef", required=True),
    read.txn_date, read.amount("unapplied_amount", "UnappliedAmt"), read.currency, read.home_total,
    read.ref("deposit_account_ref", "DepositToAccountRef"), read.applied,
    read.text("payment_ref_num", "PaymentRefNum"), read.private_note, read.voided(),
)
DEPOSIT_FIELDS = (
    read.head, read.total, read.rate, _deposit_lines,
    read.ref("deposit_to_account_ref", "DepositToAccountRef", required=True), read.txn_date,
    read.currency, read.home_total, read.private_note, read.voided(),
)
TRANSFER_FIELDS = (
    read.head, read.amount("amount", "Amount", required=True),
    read.ref("from_account_ref", "FromAccountRef", required=True),
    read.ref("to_account_ref", "ToAccountRef", required=True), read.txn_date, read.currency,
    read.rate, read.private_note, read.voided("amount"),
)


parse_bill_payment = parser(BillPayment, "BillPayment", BILL_PAYMENT_FIELDS)
parse_payment = parser(Payment, "Payment", PAYMENT_FIELDS)
parse_deposit = parser(Deposit, "Deposit", DEPOSIT_FIELDS)
parse_transfer = parser(Transfer, "Transfer", TRANSFER_FIELDS)
