"""Runway results cached per business and day, valid for the *data version* that writers bump.

Any service that changes what the runway reads calls `apps.core.services.data_version.
data_changed(business)` (or `runway_invalidate` from this layer); the next `runway_compute`
misses and recomputes. An entry holds the version it was computed at and the version is read in
the same MGET as the entry (one cache round trip per lookup). Keys include the business's schema
explicitly and every cache call runs under that schema, so the tenant-prefixing key function
(django_tenants.cache.make_key) gives the same key wherever the call comes from.

The entry is (version, the pickled result): a miss after a bump finds the previous version's
entry, and only the small tuple is unpickled to learn it is stale (unpickling the whole result
cost ≈ 1.9 ms at scale 10 / 5 years). The result's dataclasses are not slotted, so the standard
pickler handles them in C (a slotted dataclass pickles through Python-level `__getstate__`).
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.cache import cache

from apps.core.services.data_version import data_changed, data_version, in_schema, versions
from apps.runway.engine import RunwayResult

# (the data version it was computed at, the pickled result). "r3": the entry's format — a new
# format takes a new key, so an entry stored by older code is never read.
RESULT_KEY = "runway-r3:{schema}:{as_of}"
RESULT_TTL = 6 * 60 * 60  # a safety net; invalidation is what keeps results fresh


def _schema(business: Any) -> str:
    return business.schema_name


def runway_data_version(business: Any) -> int:
    return data_version(business)


def runway_invalidate(business: Any) -> None:
    """Bump the business's data version: every cached runway result becomes stale at once."""
    data_changed(business)


def _key(schema: str, as_of: date) -> str:
    return RESULT_KEY.format(schema=schema, as_of=as_of.isoformat())


def cached_result(business: Any, as_of: date) -> tuple[int, RunwayResult | None]:
    """(the data version, the result stored for it — None if there is none) in one cache round
    trip: the entry of a day holds the version it was computed at, and counts only if that is
    still the current one."""
    schema = _schema(business)
    key = _key(schema, as_of)
    version, _, found = versions(business, key)
    stored = found.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
        return version, pickle.loads(stored[1])
    return version, None


def cache_result(business: Any, result: RunwayResult, version: int) -> None:
    """Store for ``version`` (read before the inputs were: a bump during the computation wins),
    without the raw outflow list (the large part); the series and burn figures derived from it
    stay, which is all a cached result is used for (JSON, impacts, scenarios). A computation of
    an older version finishing later overwrites a newer one's entry: the next read misses and
    recomputes, never serves stale figures."""
    history = result.history
    slim = replace(result, history=replace(history, burn=replace(history.burn, outflows=())))
    schema = _schema(business)
    with in_schema(schema):
        blob = pickle.dumps(slim, pickle.HIGHEST_PROTOCOL)
        cache.set(_key(schema, result.as_of), (version, blob), timeout=RESULT_TTL)
