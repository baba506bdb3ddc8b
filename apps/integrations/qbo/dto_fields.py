"""What every DTO parser module (dtos_parties, dtos_documents, dtos_payments, dtos_books,
dtos_reference) shares: the DTO bases, the field readers and the one table-driven parser.

An entity's parser is ``parser(DTO, entity, FIELDS)``: FIELDS are the readers of its fields, in
the order QBO's fields are read. The order is part of the behaviour — on a record with several
faults, the first fault read is the reason the quarantine shows — so a table lists the fields as
the entity reads them, not as its DTO declares them. Each reader takes the Reader and the fields
read so far (a later field may default to an earlier one: a Bill's Balance to its TotalAmt) and
sets the fields it reads in them (in place: a dict a field cost ~15 % of the parse).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from apps.integrations.qbo.reader import (
    LineSummary,
    LinkedTxn,
    Reader,
    applied_lines,
    base_fields,
    keep_raw_obj,
    raw_field,
    summary_lines,
)

Fields = dict[str, Any]
FieldReader = Callable[[Reader, Fields], None]
DTO = TypeVar("DTO")

# --- DTO bases -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QboObject:
    """What every synced QBO object carries: its Id, SyncToken and MetaData.LastUpdatedTime."""

    qbo_id: str
    sync_token: str
    last_updated: datetime
    _: KW_ONLY
    raw: dict[str, Any] | None = raw_field()


@dataclass(frozen=True, slots=True)
class QboTxn(QboObject):
    """A dated transaction in its own currency (``exchange_rate`` home units per one unit)."""

    txn_date: date
    currency: str
    exchange_rate: Decimal
    _: KW_ONLY
    private_note: str = ""


@dataclass(frozen=True, slots=True)
class MoneyTxn(QboTxn):
    """A transaction with a TotalAmt, also in the home currency."""

    total: Decimal
    home_total: Decimal


@dataclass(frozen=True, slots=True)
class OpenDocument(MoneyTxn):
    """A bill or an invoice: due on a date, open for its balance until paid."""

    due_date: date  # QBO defaults DueDate to TxnDate; so do we when it is missing
    balance: Decimal
    home_balance: Decimal
    _: KW_ONLY
    doc_number: str = ""
    lines: tuple[LineSummary, ...] = ()
    linked_txns: tuple[LinkedTxn, ...] = ()
    voided: bool = False


# --- the table-driven parser -------------------------------------------------------------------


def parser(
    dto: Callable[..., DTO], entity: str, readers: tuple[FieldReader, ...], /, **fixed: Any
) -> Callable[..., DTO]:
    """The parser of one entity: reads an object with ``readers`` in order (the first fault
    raises its MappingError); ``fixed`` are fields known beforehand (a Receipt's ``entity``)."""

    def parse(obj: dict[str, Any], *, keep_raw: bool = False) -> DTO:
        r = Reader(entity, obj)
        got: Fields = dict(fixed)
        for read in readers:
            read(r, got)
        return dto(**got, raw=keep_raw_obj(obj, keep_raw))

    parse.__doc__ = f"Parse one QBO {entity} object into a {getattr(dto, '__name__', dto)}."
    return parse


# --- readers made for one QBO field ------------------------------------------------------------


def text(field: str, name: str) -> FieldReader:
    def read(r: Reader, got: Fields) -> None:
        got[field] = r.text(name)

    return read


def required_text(field: str, name: str, *, strip: bool = False) -> FieldReader:
    def read(r: Reader, got: Fields) -> None:
        value = r.text(name).strip() if strip else r.text(name)
        if not value:
            raise r.fail(f"missing {name}")
        got[field] = value

    return read


def ref(field: str, name: str, *, required: bool = False) -> FieldReader:
    def read(r: Reader, got: Fields) -> None:
        got[field] = r.ref(name, required=required)

    return read


def amount(field: str, name: str, *, required: bool = False, default_to: str = "") -> FieldReader:
    """An amount; when absent and not required: 0, or the field ``default_to`` read before it."""
    def read(r: Reader, got: Fields) -> None:
        got[field] = r.amount(name, required=required)

    def read_or_default(r: Reader, got: Fields) -> None:
        got[field] = r.amount(name, default=got[default_to])

    return read_or_default if default_to else read


def optional_date(field: str, name: str) -> FieldReader:
    def read(r: Reader, got: Fields) -> None:
        got[field] = r.date(name, required=False)

    return read


def flag(field: str, name: str, default: bool) -> FieldReader:
    def read(r: Reader, got: Fields) -> None:
        got[field] = r.bool(name, default)

    return read


def not_negative(field: str, name: str) -> FieldReader:
    """Check a field read before (None passes): reads nothing."""

    def check(r: Reader, got: Fields) -> None:
        if got[field] is not None and got[field] < 0:
            raise r.fail(f"{name} is negative ({got[field]})")

    return check


def lines(known: dict[str, str]) -> FieldReader:
    def read(r: Reader, got: Fields) -> None:
        got["lines"] = summary_lines(r, known)

    return read


def voided(of: str = "total") -> FieldReader:
    def read(r: Reader, got: Fields) -> None:
        got["voided"] = r.voided(got[of])

    return read


# --- readers of the fields many entities share -------------------------------------------------


def head(r: Reader, got: Fields) -> None:
    got.update(base_fields(r))


def txn_date(r: Reader, got: Fields) -> None:
    got["txn_date"] = r.date("TxnDate")


def due_date(r: Reader, got: Fields) -> None:
    got["due_date"] = r.date("DueDate", required=False) or got["txn_date"]


def total(r: Reader, got: Fields) -> None:
    got["total"] = r.amount("TotalAmt", required=True)


def rate(r: Reader, got: Fields) -> None:
    got["exchange_rate"] = r.exchange_rate()


def currency(r: Reader, got: Fields) -> None:
    got["currency"] = r.currency()


def home_total(r: Reader, got: Fields) -> None:
    got["home_total"] = r.home("HomeTotalAmt", got["total"], got["exchange_rate"])


def home_balance(r: Reader, got: Fields) -> None:
    got["home_balance"] = r.home("HomeBalance", got["balance"], got["exchange_rate"])


def sent_balance(r: Reader, got: Fields) -> None:
    """Balance when QBO sent one, else None (not 0: absent is not "fully applied")."""
    got["balance"] = r.amount("Balance") if r.obj.get("Balance") not in (None, "") else None


def doc_number(r: Reader, got: Fields) -> None:
    got["doc_number"] = r.text("DocNumber")


def private_note(r: Reader, got: Fields) -> None:
    got["private_note"] = r.text("PrivateNote")


def linked_txns(r: Reader, got: Fields) -> None:
    got["linked_txns"] = r.linked_txns()


def applied(r: Reader, got: Fields) -> None:
    got["applied"] = applied_lines(r)


def active(r: Reader, got: Fields) -> None:
    got["active"] = r.bool("Active", True)


def fully_qualified_name(r: Reader, got: Fields) -> None:
    got["fully_qualified_name"] = r.text("FullyQualifiedName") or got["name"]


def primary_email(r: Reader, got: Fields) -> None:
    got["email"] = email_address(r.obj)


# --- small readings ----------------------------------------------------------------------------


def email_address(obj: dict[str, Any], key: str = "PrimaryEmailAddr") -> str:
    value = obj.get(key)
    return str(value.get("Address") or "") if isinstance(value, dict) else ""


def https_link(link: str) -> str:
    """A pay link goes into customers' emails: only a plain https URL is kept."""
    link = link.strip()
    return link if link.startswith("https://") and len(link) <= 1000 and " " not in link else ""


def currency_code(r: Reader, name: str) -> str:
    code = r.text(name).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise r.fail(f"{name} is not an ISO currency code: {r.obj.get(name)!r}")
    return code
