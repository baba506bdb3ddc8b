"""Per-business summary rows in the public schema (``BusinessSummary``).

Cross-business pages read these rows and never a query over many schemas (DESIGN §9,
docs/scaling.md). A refresh runs inside one business's schema: each *source* named in
``settings.BUSINESS_SUMMARY_SOURCES`` (the one visible, ordered list; each lives in the app that
owns the data) returns the fields it knows, and the merged fields are written to the row.

Refreshes are called after each sync (the tray's sync finaliser), the tray's refresh button and
every digest event (sent, tracking). A failing source is logged and named in
``refresh_error``; the other sources' fields are still written, so the row is never lost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django_tenants.utils import tenant_context

from apps.tenancy.models import Business, BusinessSummary

log = logging.getLogger(__name__)

Source = Callable[[Business], dict[str, Any]]

# The figures "this week's changes" compares (kept in ``prior`` when a new week starts).
WEEKLY_FIELDS = ("cash", "available", "runway_days", "low_point", "cash_zero_week",
                 "overdue_ar", "tray_waiting")


def summary_sources() -> list[tuple[str, Source]]:
    return [(path, import_string(path)) for path in settings.BUSINESS_SUMMARY_SOURCES]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def summary_refresh(business: Business, *, only: tuple[str, ...] = ()) -> BusinessSummary:
    """Recompute ``business``'s summary row from its schema (``only``: the source paths to run,
    default all). Safe to run any number of times."""
    fields: dict[str, Any] = {}
    errors = []
    with tenant_context(business):
        for path, source in summary_sources():
            if only and path not in only:
                continue
            try:
                fields.update(source(business))
            except Exception as exc:  # one broken source must not stop the others
                log.exception("summary source %s failed for %s", path, business.schema_name)
                errors.append(f"{path}: {type(exc).__name__}: {exc}")
    row, _ = BusinessSummary.objects.get_or_create(
        business=business, defaults={"currency": business.currency or "USD"}
    )
    as_of = fields.get("as_of") or row.as_of
    if as_of is not None:
        monday = _monday(as_of)
        if row.week_of is not None and row.week_of < monday:
            # First refresh of a new week: last week's figures become the comparison point.
            row.prior = {f: _plain(getattr(row, f)) for f in WEEKLY_FIELDS}
        row.week_of = monday
    for name, value in fields.items():
        setattr(row, name, value)
    if not only:
        row.refresh_error = "\n".join(errors)
    row.save()
    return row


def summary_refresh_quietly(business: Business, **kwargs) -> BusinessSummary | None:
    """For callers whose own work must not fail because the summary could not be written."""
    try:
        return summary_refresh(business, **kwargs)
    except Exception:
        log.exception("summary refresh failed for %s", business.schema_name)
        return None
