"""DTOs and parsers for the reference data real agencies' books add (DESIGN §4b): exchange
rates, the company's currencies, classes, departments and employees. Rules as in ``dtos.py``;
the ExchangeRate shape (no ``Id``) is described in ``dtos_books.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apps.integrations.qbo.dto_fields import currency_code
from apps.integrations.qbo.reader import Reader, Ref, base_fields, keep_raw_obj, raw_field

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
class CompanyCurrency:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    code: str
    name: str
    active: bool
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class Segment:
    """A Class or a Department (``entity`` says which)."""

    entity: str
    qbo_id: str
    sync_token: str
    last_updated: datetime
    name: str
    fully_qualified_name: str
    active: bool
    parent_ref: Ref | None = None
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class Employee:
    qbo_id: str
    sync_token: str
    last_updated: datetime
    display_name: str
    given_name: str
    family_name: str
    active: bool
    raw: dict[str, Any] | None = raw_field()


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


def parse_company_currency(obj: dict[str, Any], *, keep_raw: bool = False) -> CompanyCurrency:
    r = Reader("CompanyCurrency", obj)
    base = base_fields(r)
    return CompanyCurrency(
        **base,
        code=currency_code(r, "Code"),
        name=r.text("Name"),
        active=r.bool("Active", True),
        raw=keep_raw_obj(obj, keep_raw),
    )


def _parse_segment(entity: str, obj: dict[str, Any], keep_raw: bool) -> Segment:
    r = Reader(entity, obj)
    base = base_fields(r)
    name = r.text("Name").strip()
    if not name:
        raise r.fail("missing Name")
    return Segment(
        entity=entity,
        **base,
        name=name,
        fully_qualified_name=r.text("FullyQualifiedName") or name,
        active=r.bool("Active", True),
        parent_ref=r.ref("ParentRef"),
        raw=keep_raw_obj(obj, keep_raw),
    )


def parse_class(obj: dict[str, Any], *, keep_raw: bool = False) -> Segment:
    return _parse_segment("Class", obj, keep_raw)


def parse_department(obj: dict[str, Any], *, keep_raw: bool = False) -> Segment:
    return _parse_segment("Department", obj, keep_raw)


def parse_employee(obj: dict[str, Any], *, keep_raw: bool = False) -> Employee:
    r = Reader("Employee", obj)
    base = base_fields(r)
    given, family = r.text("GivenName").strip(), r.text("FamilyName").strip()
    display = r.text("DisplayName").strip() or " ".join(p for p in (given, family) if p)
    if not display:
        raise r.fail("missing DisplayName (and no GivenName/FamilyName)")
    return Employee(
        **base,
        display_name=display,
        given_name=given,
        family_name=family,
        active=r.bool("Active", True),
        raw=keep_raw_obj(obj, keep_raw),
    )
