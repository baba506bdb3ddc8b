"""DTOs and parsers for the company and its parties: CompanyInfo, Preferences, accounts,
vendors and customers (rules in ``dtos.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apps.integrations.qbo.dto_fields import email_address
from apps.integrations.qbo.reader import (
    MONTHS,
    Reader,
    Ref,
    base_fields,
    keep_raw_obj,
    raw_field,
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
        email=email_address(obj),
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
        email=email_address(obj),
        parent_ref=r.ref("ParentRef"),
        term_ref=r.ref("SalesTermRef"),
        raw=keep_raw_obj(obj, keep_raw),
    )
