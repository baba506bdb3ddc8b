"""A per-business *data version*: writers bump it, caches of derived figures key on it.

Any service that changes what the runway reads (sync ingest, bill/invoice actions, reserves,
account inclusion, recurring overrides) calls `data_changed(business)`; cached results keyed by
the old version are never read again. Lives in the kernel so every layer can bump it.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
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


def _bump(template: str, business: Any | None, restart: int) -> None:
    schema = _schema(business)
    key = template.format(schema=schema)
    with in_schema(schema):
        try:
            cache.incr(key)
        except ValueError:  # never set (or evicted): any new value differs from cached ones
            cache.add(key, restart, timeout=None)


def data_changed(business: Any | None = None) -> None:
    """Bump the version of `business` (default: the current schema's business)."""
    _bump(KEY, business, 2)


def data_changed_on_commit(business: Any | None = None) -> None:
    """Bump once the current transaction commits (a rolled-back change invalidates nothing)."""
    from django.db import transaction

    schema = _schema(business)

    def bump() -> None:
        with schema_context(schema):
            data_changed(None)

    transaction.on_commit(bump)


# --- what the portal pages show beyond the books ------------------------------------------
# Tray decisions, action states, settings: things that change no runway figure but change a
# page. Cached page fragments key on both versions (apps/portal/page_cache.py), so a runway
# result survives a snoozed tray item while the tray page does not.
PAGES_KEY = "pages-version:{schema}"


def in_schema(schema: str):
    """The cache's key function prefixes the current schema; switching to the schema we are
    already in would still cost a `SET search_path` round trip on the next query."""
    return nullcontext() if connection.schema_name == schema else schema_context(schema)


def _fresh_start() -> int:
    """A pages version never used before (milliseconds), so a counter lost from Redis can
    never come back at a value that old cached pages were keyed with."""
    return int(time.time() * 1000)


def versions(business: Any, *also: str) -> tuple[int, int, dict[str, Any]]:
    """(data version, pages version, the values of the `also` keys found) of `business` in one
    cache round trip (a cached page reads its fragment in the same MGET)."""
    schema = _schema(business)
    keys = [KEY.format(schema=schema), PAGES_KEY.format(schema=schema)]
    with in_schema(schema):
        found = cache.get_many([*keys, *also])
        if keys[0] not in found or keys[1] not in found:  # first read since a flush
            cache.add(keys[0], 1, timeout=None)
            cache.add(keys[1], _fresh_start(), timeout=None)
            found |= cache.get_many(keys)
    others = {k: v for k, v in found.items() if k not in keys}
    return int(found[keys[0]]), int(found[keys[1]]), others


def pages_changed(business: Any | None = None) -> None:
    """Bump the pages version of `business` (default: the current schema's business)."""
    _bump(PAGES_KEY, business, _fresh_start())
