"""DTOs and parsers for the reference data real agencies' books add (DESIGN §4b): exchange
rates, the company's currencies, classes, departments and employees. Rules as in ``dtos.py``;
the ExchangeRate shape (no ``Id``) is described in ``dtos_books.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apps.integrations.qbo import dto_fields as read
from apps.integrations.qbo.dto_fields import Fields, QboObject, currency_code, parser
from apps.integrations.qbo.reader import Reader, Ref, keep_raw_obj, raw_field

# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    qbo_id: str  # the stand-in key "<source>:<target>:<as_of>" (QBO gives no Id)
    source_currency: str
    target_currency: str
    as_of: date
    rate: Decimal  # target (home) units per one source unit
    sync_token: str = ""
    last_updated: datetime | None = None
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class CompanyCurrency(QboObject):
    code: str
    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class Segment(QboObject):
    """A Class or a Department (``entity`` says which)."""

    entity: str
    name: str
    fully_qualified_name: str
    active: bool
    parent_ref: Ref | None = None


@dataclass(frozen=True, slots=True)
class Employee(QboObject):
    display_name: str
    given_name: str
    family_name: str
    active: bool


# --- parsers ---------------------------------------------------------------------------------


def exchange_rate_key(obj: Any) -> str | None:
    """The stand-in id of an ExchangeRate object, or None when its key fields are missing."""
    if not isinstance(obj, dict):
        return None
    parts = [obj.get("SourceCurrencyCode"), obj.get("TargetCurrencyCode"), obj.get("AsOfDate")]
    if any(not isinstance(p, str) or not p.strip() for p in parts):
        return None
    source, target, as_of = (p.strip() for p in parts)
    return f"{source.upper()}:{target.upper()}:{as_of[:10]}"


def parse_exchange_rate(obj: dict[str, Any], *, keep_raw: bool = False) -> ExchangeRate:
    r = Reader("ExchangeRate", obj)
    source = currency_code(r, "SourceCurrencyCode")
    target = currency_code(r, "TargetCurrencyCode")
    as_of = r.date("AsOfDate")
    r.qbo_id = f"{source}:{target}:{as_of.isoformat()}"  # later failures name the rate
    rate = r.amount("Rate", required=True)
    if rate <= 0:
        raise r.fail(f"Rate must be positive: {rate}")
    meta = obj.get("MetaData")
    stamp = meta.get("LastUpdatedTime") if isinstance(meta, dict) else None
    return ExchangeRate(
        qbo_id=r.qbo_id,
        source_currency=source,
        target_currency=target,
        as_of=as_of,
        rate=rate,
        sync_token=r.text("SyncToken"),
        last_updated=r.datetime_value(stamp, "MetaData.LastUpdatedTime") if stamp else None,
        raw=keep_raw_obj(obj, keep_raw),
    )


def _currency_code(r: Reader, got: Fields) -> None:
    got["code"] = currency_code(r, "Code")


def _employee_names(r: Reader, got: Fields) -> None:
    given, family = r.text("GivenName").strip(), r.text("FamilyName").strip()
    display = r.text("DisplayName").strip() or " ".join(p for p in (given, family) if p)
    if not display:
        raise r.fail("missing DisplayName (and no GivenName/FamilyName)")
    got["display_name"], got["given_name"], got["family_name"] = display, given, family


# --- parsers: each entity's fields in the order they are read ---------------------------------

COMPANY_CURRENCY_FIELDS = (read.head, _currency_code, read.text("name", "Name"), read.active)
SEGMENT_FIELDS = (
    read.head, read.required_text("name", "Name", strip=True), read.fully_qualified_name,
    read.active, read.ref("parent_ref", "ParentRef"),
)
EMPLOYEE_FIELDS = (read.head, _employee_names, read.active)


parse_company_currency = parser(
    CompanyCurrency, "CompanyCurrency", COMPANY_CURRENCY_FIELDS
)
parse_class = parser(Segment, "Class", SEGMENT_FIELDS, entity="Class")
parse_department = parser(Segment, "Department", SEGMENT_FIELDS, entity="Department")
parse_employee = parser(Employee, "Employee", EMPLOYEE_FIELDS)
