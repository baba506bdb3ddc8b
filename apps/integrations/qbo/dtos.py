"""Plain, frozen data for the QBO entities we sync, and strict parsers from QBO's wire format.

Each ``parse_<entity>(obj)`` takes one object exactly as QBO returns it (a query row, a CDC
row, a read) and returns a DTO, or raises :class:`MappingError` with a reason a person can read
(it is shown to staff in the quarantine). Parsers read only the fields they need; unknown fields
and Line detail types they do not read are ignored, never rejected.

``parse_entity(entity, obj)`` dispatches by entity name and turns CDC's
``{"Id": .., "status": "Deleted"}`` rows into :class:`Deleted`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apps.integrations.qbo import dtos_books
from apps.integrations.qbo.reader import (  # noqa: F401 — re-exported: callers import them here
    CENT,
    EXPENSE_DETAILS,
    MONTHS,
    SALES_DETAILS,
    AppliedTxn,
    Deleted,
    LineSummary,
    LinkedTxn,
    MappingError,
    Reader,
    Ref,
    applied_lines,
    base_fields,
    keep_raw_obj,
    raw_field,
    summary_lines,
)

# --- entities ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    company_name: str
    legal_name: str
    country: str
    fiscal_year_start_month: int  # 1..12
    company_start_date: date | None
    email: str
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class Preferences:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    home_currency: str
    multicurrency_enabled: bool
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class Account:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    name: str
    fully_qualified_name: str
    account_type: str
    account_sub_type: str
    classification: str
    current_balance: Decimal
    active: bool
    currency: str
    acct_num: str = ""
    parent_ref: Ref | None = None
    raw: dict[str, Any] | None = raw_field()

    @property
    def is_bank(self) -> bool:
        return self.account_type == "Bank"

    @property
    def is_credit_card(self) -> bool:
        return self.account_type == "Credit Card"


@dataclass(frozen=True, slots=True)
class Vendor:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    display_name: str
    company_name: str
    active: bool
    balance: Decimal
    currency: str
    email: str = ""
    term_ref: Ref | None = None
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class Customer:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    display_name: str
    company_name: str
    active: bool
    balance: Decimal
    balance_with_jobs: Decimal
    currency: str
    email: str = ""
    parent_ref: Ref | None = None
    term_ref: Ref | None = None
    raw: dict[str, Any] | None = raw_field()


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


def parse_company_info(obj: dict[str, Any], *, keep_raw: bool = False) -> CompanyInfo:
    r = Reader("CompanyInfo", obj)
    month_text = r.text("FiscalYearStartMonth", "January").strip().lower()
    month = MONTHS.get(month_text)
    if month is None and month_text.isdigit() and 1 <= int(month_text) <= 12:
        month = int(month_text)
    if month is None:
        raise r.fail(f"FiscalYearStartMonth is not a month: {month_text!r}")
    email = obj.get("Email") if isinstance(obj.get("Email"), dict) else {}
    return CompanyInfo(
        **base_fields(r),
        company_name=r.text("CompanyName"),
        legal_name=r.text("LegalName") or r.text("CompanyName"),
        country=r.text("Country"),
        fiscal_year_start_month=month,
        company_start_date=r.date("CompanyStartDate", required=False),
        email=str(email.get("Address") or ""),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_preferences(obj: dict[str, Any], *, keep_raw: bool = False) -> Preferences:
    r = Reader("Preferences", obj)
    prefs = obj.get("CurrencyPrefs") if isinstance(obj.get("CurrencyPrefs"), dict) else {}
    home = r.ref("HomeCurrency", obj=prefs)
    multi = prefs.get("MultiCurrencyEnabled", False)
    return Preferences(
        qbo_id=r.qbo_id or "1",
        sync_token=r.text("SyncToken", "0"),
        last_updated=r.last_updated(),
        home_currency=home.value if home else "USD",  # QBO's default for US companies
        multicurrency_enabled=multi is True or str(multi).lower() == "true",
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_account(obj: dict[str, Any], *, keep_raw: bool = False) -> Account:
    r = Reader("Account", obj)
    name = r.text("Name")
    if not name:
        raise r.fail("missing Name")
    account_type = r.text("AccountType")
    if not account_type:
        raise r.fail("missing AccountType")
    return Account(
        **base_fields(r),
        name=name,
        fully_qualified_name=r.text("FullyQualifiedName") or name,
        account_type=account_type,
        account_sub_type=r.text("AccountSubType"),
        classification=r.text("Classification"),
        current_balance=r.amount("CurrentBalance"),
        active=r.bool("Active", True),
        currency=r.currency(),
        acct_num=r.text("AcctNum"),
        parent_ref=r.ref("ParentRef"),
        raw=keep_raw_obj(obj, keep_raw),
    )


def _email(obj: dict[str, Any], key: str = "PrimaryEmailAddr") -> str:
    value = obj.get(key)
    return str(value.get("Address") or "") if isinstance(value, dict) else ""


def parse_vendor(obj: dict[str, Any], *, keep_raw: bool = False) -> Vendor:
    r = Reader("Vendor", obj)
    display_name = r.text("DisplayName")
    if not display_name:
        raise r.fail("missing DisplayName")
    return Vendor(
        **base_fields(r),
        display_name=display_name,
        company_name=r.text("CompanyName"),
        active=r.bool("Active", True),
        balance=r.amount("Balance"),
        currency=r.currency(),
        email=_email(obj),
        term_ref=r.ref("TermRef"),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_customer(obj: dict[str, Any], *, keep_raw: bool = False) -> Customer:
    r = Reader("Customer", obj)
    display_name = r.text("DisplayName")
    if not display_name:
        raise r.fail("missing DisplayName")
    balance = r.amount("Balance")
    return Customer(
        **base_fields(r),
        display_name=display_name,
        company_name=r.text("CompanyName"),
        active=r.bool("Active", True),
        balance=balance,
        balance_with_jobs=r.amount("BalanceWithJobs", default=balance),
        currency=r.currency(),
        email=_email(obj),
        parent_ref=r.ref("ParentRef"),
        term_ref=r.ref("SalesTermRef"),
        raw=keep_raw_obj(obj, keep_raw),
    )


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


def _https(link: str) -> str:
    """A pay link goes into customers' emails: only a plain https URL is kept."""
    link = link.strip()
    return link if link.startswith("https://") and len(link) <= 1000 and " " not in link else ""


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
        bill_email=_email(obj, "BillEmail"),
        invoice_link=_https(r.text("InvoiceLink")),
        lines=summary_lines(r, SALES_DETAILS),
        linked_txns=r.linked_txns(),
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


PARSERS: dict[str, Callable[..., Any]] = {
    "CompanyInfo": parse_company_info,
    "Preferences": parse_preferences,
    "Account": parse_account,
    "Vendor": parse_vendor,
    "Customer": parse_customer,
    "Bill": parse_bill,
    "BillPayment": parse_bill_payment,
    "Invoice": parse_invoice,
    "Payment": parse_payment,
    "CreditMemo": parse_credit_memo,
    "Purchase": parse_purchase,
    "Deposit": parse_deposit,
    "Transfer": parse_transfer,
    **dtos_books.BOOK_PARSERS,
}

SYNCED_ENTITIES: tuple[str, ...] = tuple(e for e in PARSERS if e != "Preferences")


def row_key(entity: str, row: Any) -> str | None:
    """The id a raw row is known by (quarantine, de-duplication): its ``Id``, or for an
    ExchangeRate (which has none) the stand-in key; None when it has neither."""
    if entity == "ExchangeRate":
        return dtos_books.exchange_rate_key(row)
    if isinstance(row, dict) and row.get("Id") not in (None, ""):
        return str(row["Id"])
    return None


def parse_deleted(entity: str, obj: dict[str, Any]) -> Deleted:
    r = Reader(entity, obj)
    meta = obj.get("MetaData")
    stamp = meta.get("LastUpdatedTime") if isinstance(meta, dict) else None
    when = r.datetime_value(stamp, "MetaData.LastUpdatedTime") if stamp else None
    return Deleted(entity, r.id(), when)


def parse_entity(entity: str, obj: dict[str, Any], *, keep_raw: bool = False) -> Any:
    """Parse any synced entity; CDC deletions (``status: "Deleted"``) become :class:`Deleted`."""
    parser = PARSERS.get(entity)
    if parser is None:
        raise MappingError(entity, None, f"no parser for entity type {entity!r}")
    if isinstance(obj, dict) and str(obj.get("status", "")).lower() == "deleted":
        return parse_deleted(entity, obj)
    return parser(obj, keep_raw=keep_raw)

