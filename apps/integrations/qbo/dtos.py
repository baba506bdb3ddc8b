"""Plain, frozen data for the QBO entities we sync, and strict parsers from QBO's wire format.

Each ``parse_<entity>(obj)`` takes one object exactly as QBO returns it (a query row, a CDC
row, a read) and returns a DTO, or raises :class:`MappingError` with a reason a person can read
(it is shown to staff in the quarantine). Parsers read only the fields they need; unknown fields
and Line detail types they do not read are ignored, never rejected.

``parse_entity(entity, obj)`` dispatches by entity name and turns CDC's
``{"Id": .., "status": "Deleted"}`` rows into :class:`Deleted`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_MONTHS = {
    name: i
    for i, name in enumerate(
        "january february march april may june july august september october november "
        "december".split(),
        start=1,
    )
}


class MappingError(ValueError):
    """A QBO object we cannot turn into a DTO; quarantine it and go on with the sync."""

    def __init__(self, entity: str, qbo_id: str | None, reason: str) -> None:
        self.entity = entity
        self.qbo_id = qbo_id
        self.reason = reason
        super().__init__(f"{entity} {qbo_id or '(no Id)'}: {reason}")


# --- small value types -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ref:
    """A QBO reference (``{"value": "42", "name": "Acme"}``); ``type`` is set on EntityRef."""

    value: str
    name: str = ""
    type: str = ""


@dataclass(frozen=True, slots=True)
class LinkedTxn:
    txn_id: str
    txn_type: str


@dataclass(frozen=True, slots=True)
class AppliedTxn:
    """A payment line applying ``amount`` to another transaction (Bill, Invoice, CreditMemo...)."""

    txn_id: str
    txn_type: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class LineSummary:
    amount: Decimal
    detail_type: str
    description: str = ""
    account_ref: Ref | None = None  # expense/deposit lines
    item_ref: Ref | None = None  # item lines


@dataclass(frozen=True, slots=True)
class Deleted:
    """CDC reported the object as deleted."""

    entity: str
    qbo_id: str
    last_updated: datetime | None = None


# --- entities ------------------------------------------------------------------------------


def _raw_field() -> Any:
    # the original payload, for debugging/quarantine; not part of equality or hashing
    return field(default=None, compare=False, hash=False, repr=False)


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
    raw: dict[str, Any] | None = _raw_field()


@dataclass(frozen=True, slots=True)
class Preferences:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    home_currency: str
    multicurrency_enabled: bool
    raw: dict[str, Any] | None = _raw_field()


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
    raw: dict[str, Any] | None = _raw_field()

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
    raw: dict[str, Any] | None = _raw_field()


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
    raw: dict[str, Any] | None = _raw_field()


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
    raw: dict[str, Any] | None = _raw_field()

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
    raw: dict[str, Any] | None = _raw_field()

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
    raw: dict[str, Any] | None = _raw_field()


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
    raw: dict[str, Any] | None = _raw_field()

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
    raw: dict[str, Any] | None = _raw_field()


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
    raw: dict[str, Any] | None = _raw_field()


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
    raw: dict[str, Any] | None = _raw_field()


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
    raw: dict[str, Any] | None = _raw_field()


# --- field readers -------------------------------------------------------------------------


class _Reader:
    """Reads fields of one object; every failure becomes a MappingError naming the field."""

    __slots__ = ("entity", "obj", "qbo_id")

    def __init__(self, entity: str, obj: Any) -> None:
        self.entity = entity
        if not isinstance(obj, dict):
            raise MappingError(entity, None, f"expected a JSON object, got {type(obj).__name__}")
        self.obj = obj
        raw_id = obj.get("Id")
        self.qbo_id = str(raw_id) if raw_id not in (None, "") else None

    def fail(self, reason: str) -> MappingError:
        return MappingError(self.entity, self.qbo_id, reason)

    def id(self) -> str:
        if self.qbo_id is None:
            raise self.fail("missing Id")
        return self.qbo_id

    def sync_token(self) -> str:
        value = self.obj.get("SyncToken")
        if value in (None, ""):
            raise self.fail("missing SyncToken")
        return str(value)

    def last_updated(self) -> datetime:
        meta = self.obj.get("MetaData")
        value = meta.get("LastUpdatedTime") if isinstance(meta, dict) else None
        if not value:
            raise self.fail("missing MetaData.LastUpdatedTime")
        return self.datetime_value(value, "MetaData.LastUpdatedTime")

    def datetime_value(self, value: Any, name: str) -> datetime:
        if not isinstance(value, str):
            raise self.fail(f"{name} is not a timestamp: {value!r}")
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise self.fail(f"{name} is not a timestamp: {value!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)  # QBO always sends an offset; assume UTC
        if not (MIN_DATE <= parsed.date() <= MAX_DATE):
            raise self.fail(f"{name} {value!r} is outside 1900–2100")
        return parsed

    def text(self, name: str, default: str = "") -> str:
        value = self.obj.get(name)
        return default if value is None else str(value)

    def bool(self, name: str, default: bool) -> bool:
        value = self.obj.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.fail(f"{name} is not a boolean: {value!r}")

    def amount(
        self, name: str, *, required: bool = False, default: Decimal = Decimal(0)
    ) -> Decimal:
        return self.amount_value(self.obj.get(name), name, required=required, default=default)

    def amount_value(
        self, value: Any, name: str, *, required: bool = False, default: Decimal = Decimal(0)
    ) -> Decimal:
        if value is None or value == "":
            if required:
                raise self.fail(f"missing {name}")
            return default
        if isinstance(value, bool):
            raise self.fail(f"{name} is not a number: {value!r}")
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(f"{name} is not a number: {value!r}") from None
        if not number.is_finite():
            raise self.fail(f"{name} is not a finite number: {value!r}")
        return number

    def date(self, name: str, *, required: bool = True) -> date | None:
        value = self.obj.get(name)
        if value in (None, ""):
            if required:
                raise self.fail(f"missing {name}")
            return None
        return self.date_value(value, name)

    def date_value(self, value: Any, name: str) -> date:
        match = _DATE_RE.match(value) if isinstance(value, str) else None
        if not match:
            raise self.fail(f"{name} is not a date (YYYY-MM-DD): {value!r}")
        try:
            parsed = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise self.fail(f"{name} is not a valid date: {value!r}") from None
        if not (MIN_DATE <= parsed <= MAX_DATE):
            raise self.fail(f"{name} {value!r} is outside 1900–2100")
        return parsed

    def ref(self, name: str, *, required: bool = False, obj: Any = None) -> Ref | None:
        source = self.obj if obj is None else obj
        value = source.get(name) if isinstance(source, dict) else None
        if value is None:
            if required:
                raise self.fail(f"missing {name}")
            return None
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = {"value": value}  # some payloads inline the id
        if not isinstance(value, dict) or value.get("value") in (None, ""):
            if required:
                raise self.fail(f"{name} has no value: {value!r}")
            return None
        return Ref(str(value["value"]), str(value.get("name") or ""), str(value.get("type") or ""))

    def currency(self, default: str = "") -> str:
        ref = self.ref("CurrencyRef")
        return ref.value if ref else default

    def exchange_rate(self) -> Decimal:
        rate = self.amount("ExchangeRate", default=Decimal(1))
        if rate <= 0:
            raise self.fail(f"ExchangeRate must be positive: {rate}")
        return rate

    def home(self, name: str, amount: Decimal, rate: Decimal) -> Decimal:
        """Home-currency amount: QBO's Home<Field> when sent, else amount × rate, to the cent."""
        value = self.obj.get(name)
        if value is not None:
            return self.amount_value(value, name)
        return (amount * rate).quantize(CENT) if rate != 1 else amount

    def list(self, name: str, obj: Any = None) -> list[Any]:
        source = self.obj if obj is None else obj
        value = source.get(name) if isinstance(source, dict) else None
        if value is None:
            return []
        if isinstance(value, dict):
            return [value]
        if not isinstance(value, list):
            raise self.fail(f"{name} is not a list")
        return value

    def linked_txns(self, obj: Any = None) -> tuple[LinkedTxn, ...]:
        out = []
        for item in self.list("LinkedTxn", obj):
            if isinstance(item, dict) and item.get("TxnId") not in (None, ""):
                out.append(LinkedTxn(str(item["TxnId"]), str(item.get("TxnType") or "")))
        return tuple(out)

    def voided(self, total: Decimal) -> bool:
        # QBO keeps a voided transaction with its amounts zeroed and PrivateNote "Voided".
        note = self.text("PrivateNote").strip().lower()
        return total == 0 and note.startswith("voided")


_EXPENSE_DETAILS = {
    "AccountBasedExpenseLineDetail": "AccountRef",
    "ItemBasedExpenseLineDetail": "ItemRef",
}
_SALES_DETAILS = {"SalesItemLineDetail": "ItemRef"}


def _lines(r: _Reader, known: dict[str, str]) -> tuple[LineSummary, ...]:
    """Summaries of the lines whose DetailType we know; other line types are skipped."""
    out = []
    for i, line in enumerate(r.list("Line")):
        if not isinstance(line, dict):
            continue
        detail_type = str(line.get("DetailType") or "")
        if detail_type not in known:
            continue
        amount = r.amount_value(line.get("Amount"), f"Line[{i}].Amount", required=True)
        detail = line.get(detail_type) if isinstance(line.get(detail_type), dict) else {}
        ref = r.ref(known[detail_type], obj=detail)
        out.append(
            LineSummary(
                amount=amount,
                detail_type=detail_type,
                description=str(line.get("Description") or ""),
                account_ref=ref if known[detail_type] == "AccountRef" else None,
                item_ref=ref if known[detail_type] == "ItemRef" else None,
            )
        )
    return tuple(out)


def _applied(r: _Reader) -> tuple[AppliedTxn, ...]:
    """Payment/BillPayment lines: each line's Amount applied to the transactions it links."""
    out = []
    for i, line in enumerate(r.list("Line")):
        if not isinstance(line, dict):
            continue
        links = r.linked_txns(line)
        if not links:
            continue
        amount = r.amount_value(line.get("Amount"), f"Line[{i}].Amount", required=True)
        out.extend(AppliedTxn(link.txn_id, link.txn_type, amount) for link in links)
    return tuple(out)


def _base(r: _Reader) -> dict[str, Any]:
    return {"qbo_id": r.id(), "sync_token": r.sync_token(), "last_updated": r.last_updated()}


def _raw(obj: dict[str, Any], keep: bool) -> dict[str, Any] | None:
    return obj if keep else None


# --- parsers --------------------------------------------------------------------------------


def parse_company_info(obj: dict[str, Any], *, keep_raw: bool = False) -> CompanyInfo:
    r = _Reader("CompanyInfo", obj)
    month_text = r.text("FiscalYearStartMonth", "January").strip().lower()
    month = _MONTHS.get(month_text)
    if month is None and month_text.isdigit() and 1 <= int(month_text) <= 12:
        month = int(month_text)
    if month is None:
        raise r.fail(f"FiscalYearStartMonth is not a month: {month_text!r}")
    email = obj.get("Email") if isinstance(obj.get("Email"), dict) else {}
    return CompanyInfo(
        **_base(r),
        company_name=r.text("CompanyName"),
        legal_name=r.text("LegalName") or r.text("CompanyName"),
        country=r.text("Country"),
        fiscal_year_start_month=month,
        company_start_date=r.date("CompanyStartDate", required=False),
        email=str(email.get("Address") or ""),
        raw=_raw(obj, keep_raw),
    )


def parse_preferences(obj: dict[str, Any], *, keep_raw: bool = False) -> Preferences:
    r = _Reader("Preferences", obj)
    prefs = obj.get("CurrencyPrefs") if isinstance(obj.get("CurrencyPrefs"), dict) else {}
    home = r.ref("HomeCurrency", obj=prefs)
    multi = prefs.get("MultiCurrencyEnabled", False)
    return Preferences(
        qbo_id=r.qbo_id or "1",
        sync_token=r.text("SyncToken", "0"),
        last_updated=r.last_updated(),
        home_currency=home.value if home else "USD",  # QBO's default for US companies
        multicurrency_enabled=multi is True or str(multi).lower() == "true",
        raw=_raw(obj, keep_raw),
    )


def parse_account(obj: dict[str, Any], *, keep_raw: bool = False) -> Account:
    r = _Reader("Account", obj)
    name = r.text("Name")
    if not name:
        raise r.fail("missing Name")
    account_type = r.text("AccountType")
    if not account_type:
        raise r.fail("missing AccountType")
    return Account(
        **_base(r),
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
        raw=_raw(obj, keep_raw),
    )


def _email(obj: dict[str, Any], key: str = "PrimaryEmailAddr") -> str:
    value = obj.get(key)
    return str(value.get("Address") or "") if isinstance(value, dict) else ""


def parse_vendor(obj: dict[str, Any], *, keep_raw: bool = False) -> Vendor:
    r = _Reader("Vendor", obj)
    display_name = r.text("DisplayName")
    if not display_name:
        raise r.fail("missing DisplayName")
    return Vendor(
        **_base(r),
        display_name=display_name,
        company_name=r.text("CompanyName"),
        active=r.bool("Active", True),
        balance=r.amount("Balance"),
        currency=r.currency(),
        email=_email(obj),
        term_ref=r.ref("TermRef"),
        raw=_raw(obj, keep_raw),
    )


def parse_customer(obj: dict[str, Any], *, keep_raw: bool = False) -> Customer:
    r = _Reader("Customer", obj)
    display_name = r.text("DisplayName")
    if not display_name:
        raise r.fail("missing DisplayName")
    balance = r.amount("Balance")
    return Customer(
        **_base(r),
        display_name=display_name,
        company_name=r.text("CompanyName"),
        active=r.bool("Active", True),
        balance=balance,
        balance_with_jobs=r.amount("BalanceWithJobs", default=balance),
        currency=r.currency(),
        email=_email(obj),
        parent_ref=r.ref("ParentRef"),
        term_ref=r.ref("SalesTermRef"),
        raw=_raw(obj, keep_raw),
    )


def parse_bill(obj: dict[str, Any], *, keep_raw: bool = False) -> Bill:
    r = _Reader("Bill", obj)
    base = _base(r)
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
        lines=_lines(r, _EXPENSE_DETAILS),
        linked_txns=r.linked_txns(),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=_raw(obj, keep_raw),
    )


def parse_bill_payment(obj: dict[str, Any], *, keep_raw: bool = False) -> BillPayment:
    r = _Reader("BillPayment", obj)
    base = _base(r)
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
        applied=_applied(r),
        doc_number=r.text("DocNumber"),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=_raw(obj, keep_raw),
    )


def parse_invoice(obj: dict[str, Any], *, keep_raw: bool = False) -> Invoice:
    r = _Reader("Invoice", obj)
    base = _base(r)
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
        lines=_lines(r, _SALES_DETAILS),
        linked_txns=r.linked_txns(),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=_raw(obj, keep_raw),
    )


def parse_payment(obj: dict[str, Any], *, keep_raw: bool = False) -> Payment:
    r = _Reader("Payment", obj)
    base = _base(r)
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
        applied=_applied(r),
        payment_ref_num=r.text("PaymentRefNum"),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=_raw(obj, keep_raw),
    )


def parse_credit_memo(obj: dict[str, Any], *, keep_raw: bool = False) -> CreditMemo:
    r = _Reader("CreditMemo", obj)
    base = _base(r)
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
        raw=_raw(obj, keep_raw),
    )


def parse_purchase(obj: dict[str, Any], *, keep_raw: bool = False) -> Purchase:
    r = _Reader("Purchase", obj)
    base = _base(r)
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
        lines=_lines(r, _EXPENSE_DETAILS),
        private_note=r.text("PrivateNote"),
        voided=r.voided(total),
        raw=_raw(obj, keep_raw),
    )


def parse_deposit(obj: dict[str, Any], *, keep_raw: bool = False) -> Deposit:
    r = _Reader("Deposit", obj)
    base = _base(r)
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
        raw=_raw(obj, keep_raw),
    )


def parse_transfer(obj: dict[str, Any], *, keep_raw: bool = False) -> Transfer:
    r = _Reader("Transfer", obj)
    base = _base(r)
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
        raw=_raw(obj, keep_raw),
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
}

SYNCED_ENTITIES: tuple[str, ...] = tuple(e for e in PARSERS if e != "Preferences")


def parse_deleted(entity: str, obj: dict[str, Any]) -> Deleted:
    r = _Reader(entity, obj)
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
