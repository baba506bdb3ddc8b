"""Plain, frozen data for the QBO entities we sync, and strict parsers from QBO's wire format.

Each ``parse_<entity>(obj)`` takes one object exactly as QBO returns it (a query row, a CDC
row, a read) and returns a DTO, or raises :class:`MappingError` with a reason a person can read
(it is shown to staff in the quarantine). Parsers read only the fields they need; unknown fields
and Line detail types they do not read are ignored, never rejected.

The entities live by concern in ``dtos_parties``, ``dtos_documents``, ``dtos_payments`` and
``dtos_books``, each parser a table of field readers read in order (the DTO bases, the readers
and the one parser: ``dto_fields``); every name is re-exported here, where callers import
them. ``parse_entity(entity, obj)`` dispatches by entity name and turns CDC's
``{"Id": .., "status": "Deleted"}`` rows into :class:`Deleted`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.integrations.qbo import dtos_books
from apps.integrations.qbo.dtos_documents import (  # noqa: F401 — re-exported
    Bill,
    CreditMemo,
    Invoice,
    Purchase,
    parse_bill,
    parse_credit_memo,
    parse_invoice,
    parse_purchase,
)
from apps.integrations.qbo.dtos_parties import (  # noqa: F401 — re-exported
    Account,
    CompanyInfo,
    Customer,
    Preferences,
    Vendor,
    parse_account,
    parse_company_info,
    parse_customer,
    parse_preferences,
    parse_vendor,
)
from apps.integrations.qbo.dtos_payments import (  # noqa: F401 — re-exported
    BillPayment,
    Deposit,
    DepositLine,
    Payment,
    Transfer,
    parse_bill_payment,
    parse_deposit,
    parse_payment,
    parse_transfer,
)
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
