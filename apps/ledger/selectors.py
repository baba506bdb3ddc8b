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
