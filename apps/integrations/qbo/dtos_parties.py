"""DTOs and parsers for the company and its parties: CompanyInfo, Preferences, accounts,
vendors and customers (rules in ``dtos.py``)."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from apps.integrations.qbo import dto_fields as read
from apps.integrations.qbo.dto_fields import Fields, QboObject, email_address, parser
from apps.integrations.qbo.reader import MONTHS, Reader, Ref, keep_raw_obj

# --- entities ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompanyInfo(QboObject):
    company_name: str
    legal_name: str
    country: str
    fiscal_year_start_month: int  # 1..12
    company_start_date: date | None
    email: str


@dataclass(frozen=True, slots=True)
class Preferences(QboObject):
    home_currency: str
    multicurrency_enabled: bool


@dataclass(frozen=True, slots=True)
class Account(QboObject):
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

    @property
    def is_bank(self) -> bool:
        return self.account_type == "Bank"

    @property
    def is_credit_card(self) -> bool:
        return self.account_type == "Credit Card"


@dataclass(frozen=True, slots=True)
class Party(QboObject):
    """A vendor or a customer: whom bills are from and invoices to."""

    display_name: str
    company_name: str
    active: bool
    balance: Decimal
    currency: str
    _: KW_ONLY
    email: str = ""
    term_ref: Ref | None = None


@dataclass(frozen=True, slots=True)
class Vendor(Party):
    pass


@dataclass(frozen=True, slots=True)
class Customer(Party):
    balance_with_jobs: Decimal
    parent_ref: Ref | None = None


# --- readers of one entity's own fields --------------------------------------------------------


def _fiscal_year_start_month(r: Reader, got: Fields) -> None:
    month_text = r.text("FiscalYearStartMonth", "January").strip().lower()
    month = MONTHS.get(month_text)
    if month is None and month_text.isdigit() and 1 <= int(month_text) <= 12:
        month = int(month_text)
    if month is None:
        raise r.fail(f"FiscalYearStartMonth is not a month: {month_text!r}")
    got["fiscal_year_start_month"] = month


def _company_names(r: Reader, got: Fields) -> None:
    company_name = r.text("CompanyName")
    got["company_name"], got["legal_name"] = company_name, r.text("LegalName") or company_name


def _company_email(r: Reader, got: Fields) -> None:
    got["email"] = email_address(r.obj, "Email")


# --- parsers --------------------------------------------------------------------------------


# --- parsers: each entity's fields in the order they are read ---------------------------------

COMPANY_INFO_FIELDS = (
    _fiscal_year_start_month, read.head, _company_names, read.text("country", "Country"),
    read.optional_date("company_start_date", "CompanyStartDate"), _company_email,
)
ACCOUNT_FIELDS = (
    read.required_text("name", "Name"), read.required_text("account_type", "AccountType"),
    read.head, read.fully_qualified_name, read.text("account_sub_type", "AccountSubType"),
    read.text("classification", "Classification"), read.amount("current_balance", "CurrentBalance"),
    read.active, read.currency, read.text("acct_num", "AcctNum"),
    read.ref("parent_ref", "ParentRef"),
)
VENDOR_FIELDS = (
    read.required_text("display_name", "DisplayName"), read.head,
    read.text("company_name", "CompanyName"), read.active, read.amount("balance", "Balance"),
    read.currency, read.primary_email, read.ref("term_ref", "TermRef"),
)
CUSTOMER_FIELDS = (
    read.required_text("display_name", "DisplayName"), read.amount("balance", "Balance"), read.head,
    read.text("company_name", "CompanyName"), read.active,
    read.amount("balance_with_jobs", "BalanceWithJobs", default_to="balance"), read.currency,
    read.primary_email, read.ref("parent_ref", "ParentRef"), read.ref("term_ref", "SalesTermRef"),
)


parse_company_info = parser(CompanyInfo, "CompanyInfo", COMPANY_INFO_FIELDS)


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


parse_account = parser(Account, "Account", ACCOUNT_FIELDS)
parse_vendor = parser(Vendor, "Vendor", VENDOR_FIELDS)
parse_customer = parser(Customer, "Customer", CUSTOMER_FIELDS)
