"""List filters the vendor and customer lists share (apps/ap/selectors.py, apps/ar/selectors.py):
one reading of an id, a search term and the party list's `?q=` / `?active=0`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db.models import Q

from apps.core.errors import ApplicationError

ID = re.compile(r"[0-9]{1,9}")  # ASCII digits that fit an id ("²" is a digit too)


def search_text(value) -> str:
    """A search term as typed, without NUL characters (Postgres refuses them in a query)."""
    return (value or "").replace("\x00", "").strip()[:100]


def invalid_filter(what: str, value: str) -> ApplicationError:
    return ApplicationError(f"Unknown {what} “{value}”.", code="invalid_filter")


def choice_param(params: Mapping, name: str, choices, *, default: str = "", fallback: str = "",
                 strict: bool, what: str = "") -> str:
    """The value of ``?<name>=`` when it is one of ``choices`` (or ``default`` when absent).
    Anything else is ``fallback`` — or, when ``strict`` (the API), an `invalid_filter` error
    naming ``what`` (default: the name)."""
    value = (params.get(name, default) or default).strip()
    if value and value not in choices:
        if strict:
            raise invalid_filter(what or name, value)
        return fallback
    return value


def id_param(params: Mapping, name: str, *, strict: bool) -> str:
    """The id in ``?<name>=`` ("" when absent or not an id; `invalid_filter` when strict)."""
    value = (params.get(name, "") or "").strip()
    if value and not ID.fullmatch(value):
        if strict:
            raise invalid_filter(name, value)
        return ""
    return value


def documents_searched(qs: Any, q: str, party: str):
    """Invoices or bills (``qs``) whose number or party's name (``party``: "customer" |
    "vendor") contains ``q``, by due date."""
    if q:
        qs = qs.filter(Q(doc_number__icontains=q) | Q(**{f"{party}__display_name__icontains": q}))
    return qs.order_by("due_date", "pk")


def parties_filtered(model: Any, params: Mapping):
    """Vendors or customers by name; `?q=` searches the name, `?active=0` lists inactive ones
    too."""
    qs = model.objects.all()
    if params.get("active", "1") != "0":
        qs = qs.filter(active=True)
    q = search_text(params.get("q"))
    if q:
        qs = qs.filter(Q(display_name__icontains=q) | Q(company_name__icontains=q))
    return qs.order_by("display_name", "pk")
