"""Reading QBO's wire format strictly: small value types, the field reader every parser uses,
and the line/link helpers several entities share.

Every failure is a :class:`MappingError` naming the field, with a reason a person can read (it
is shown to staff in the quarantine). The parsers are tables of field readers over this
Reader (``dto_fields.parser``), one per entity in the ``dtos_*`` modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
MONTHS = {
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
class AppliedTxn(LinkedTxn):
    """A payment line applying ``amount`` to another transaction (Bill, Invoice, CreditMemo...)."""

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


def iso_timestamp(value: Any) -> datetime | None:
    """QBO's ISO 8601 timestamp (``Z`` or an offset; none is taken as UTC), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # QBO always sends one


def raw_field() -> Any:
    # the original payload, for debugging/quarantine; not part of equality or hashing
    return field(default=None, compare=False, hash=False, repr=False)


# --- field readers -------------------------------------------------------------------------


class Reader:
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
        parsed = iso_timestamp(value)
        if parsed is None:
            raise self.fail(f"{name} is not a timestamp: {value!r}")
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
        """Home-currency amount: QBO's Home<Field> when sent, else amount × rate, to the cent
        (half away from zero, as every money rounding; Decimal's default is half-even)."""
        value = self.obj.get(name)
        if value is not None:
            return self.amount_value(value, name)
        return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP) if rate != 1 else amount

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


EXPENSE_DETAILS = {
    "AccountBasedExpenseLineDetail": "AccountRef",
    "ItemBasedExpenseLineDetail": "ItemRef",
}
SALES_DETAILS = {"SalesItemLineDetail": "ItemRef"}


def summary_lines(r: Reader, known: dict[str, str]) -> tuple[LineSummary, ...]:
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


def applied_lines(r: Reader) -> tuple[AppliedTxn, ...]:
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


def base_fields(r: Reader) -> dict[str, Any]:
    return {"qbo_id": r.id(), "sync_token": r.sync_token(), "last_updated": r.last_updated()}


def keep_raw_obj(obj: dict[str, Any], keep: bool) -> dict[str, Any] | None:
    return obj if keep else None

