"""A per-business *data version*: writers bump it, caches of derived figures key on it.

Any service that changes what the runway reads (sync ingest, bill/invoice actions, reserves,
account inclusion, recurring overrides) calls `data_changed(business)`; cached results keyed by
the old version are never read again. Lives in the kernel so every layer can bump it.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

KEY = "data-version:{schema}"


def _schema(business: Any | None) -> str:
    return business.schema_name if business is not None else connection.schema_name


def data_version(business: Any | None = None) -> int:
    schema = _schema(business)
    with schema_context(schema):
        return int(cache.get_or_set(KEY.format(schema=schema), 1, timeout=None))


def data_changed(business: Any | None = None) -> None:
    """Bump the version of `business` (default: the current schema's business)."""
    schema = _schema(business)
    key = KEY.format(schema=schema)
    with schema_context(schema):
        try:
            cache.incr(key)
        except ValueError:  # never set (or evicted): any new value differs from cached ones
            cache.add(key, 2, timeout=None)


def data_changed_on_commit(business: Any | None = None) -> None:
    """Bump once the current transaction commits (a rolled-back change invalidates nothing)."""
    from django.db import transaction

    schema = _schema(business)

    def bump() -> None:
        with schema_context(schema):
            data_changed(None)

    transaction.on_commit(bump)
