"""Invoice and customer lists with their filters: one definition for the portal's list, its
CSV download and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from apps.ar.models import Customer, Invoice
from apps.ledger.selectors import (
    choice_param,
    documents_searched,
    id_param,
    parties_filtered,
    search_text,
)

INVOICE_STATUS_FILTERS = ("open", "overdue", "paid", "all")


@dataclass(frozen=True)
class InvoiceFilters:
    status: str = "open"
    customer: str = ""
    q: str = ""


def invoice_filters(params: Mapping, *, strict: bool = False) -> InvoiceFilters:
    status = choice_param(params, "status", INVOICE_STATUS_FILTERS, default="open",
                          fallback="all", strict=strict)
    customer = id_param(params, "customer", strict=strict)
    return InvoiceFilters(status, customer, search_text(params.get("q")))


def invoices_filtered(filters: InvoiceFilters, today: date):
    qs = Invoice.objects.live().select_related("customer")
    if filters.status == "open":
        qs = qs.filter(balance__gt=0)
    elif filters.status == "overdue":
        qs = qs.overdue(today)
    elif filters.status == "paid":
        qs = qs.filter(balance=0)
    if filters.customer:
        qs = qs.filter(customer_id=int(filters.customer))
    return documents_searched(qs, filters.q, "customer")


def customers_filtered(params: Mapping):
    """Customers by name; `?q=` searches the name, `?active=0` lists inactive ones too."""
    return parties_filtered(Customer, params)
