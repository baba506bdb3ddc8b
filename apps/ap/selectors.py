"""Bill and vendor lists with their filters: one definition for the portal's list, its CSV
download and the API (so the three always agree on what "open" or "due in 7 days" means)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from apps.ap.models import Bill, Vendor
from apps.ledger.selectors import (
    choice_param,
    documents_searched,
    id_param,
    parties_filtered,
    search_text,
)

BILL_STATUS_FILTERS = ("open", "paid", "all", *Bill.Status.values)
DUE_FILTERS = {"overdue": "Overdue", "7": "Due in 7 days", "14": "Due in 14 days", "30": "30 days"}


@dataclass(frozen=True)
class BillFilters:
    status: str = "open"
    vendor: str = ""
    due: str = ""
    q: str = ""

    def as_dict(self) -> dict:
        return {"status": self.status, "vendor": self.vendor, "due": self.due, "q": self.q}


def bill_filters(params: Mapping, *, strict: bool = False) -> BillFilters:
    """Parse `status`, `vendor`, `due`, `q` from query parameters. `strict` (the API) refuses an
    unknown value with `invalid_filter`; the portal falls back to the default instead."""
    status = choice_param(params, "status", BILL_STATUS_FILTERS, default="open",
                          fallback="all", strict=strict)
    vendor = id_param(params, "vendor", strict=strict)
    due = choice_param(params, "due", DUE_FILTERS, strict=strict, what="due filter")
    return BillFilters(status, vendor, due, search_text(params.get("q")))


def bills_filtered(filters: BillFilters, today: date):
    qs = Bill.objects.live().select_related("vendor")
    if filters.status == "open":
        qs = qs.filter(balance__gt=0)
    elif filters.status == "paid":
        qs = qs.filter(balance=0)
    elif filters.status in Bill.Status.values:
        qs = qs.filter(status=filters.status, balance__gt=0)
    if filters.vendor:
        qs = qs.filter(vendor_id=int(filters.vendor))
    if filters.due == "overdue":
        qs = qs.filter(due_date__lt=today, balance__gt=0)
    elif filters.due:
        qs = qs.filter(due_date__lte=today + timedelta(days=int(filters.due)))
    return documents_searched(qs, filters.q, "vendor")


def vendors_filtered(params: Mapping):
    """Vendors by name; `?q=` searches the name, `?active=0` lists inactive ones too."""
    return parties_filtered(Vendor, params)
