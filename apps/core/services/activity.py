"""Is someone using a business's portal right now? The sync schedule tightens while they are
(DESIGN §5: at most every 30 min for QBO, 15 for Plaid)."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

from apps.core.services.data_version import in_schema

ACTIVE_FOR = 30 * 60  # seconds a visit counts as "active"
TOUCH_EVERY = 60  # a process re-marks a business at most this often (not on every request)
KEY = "portal-active:{schema}"

_touched: dict[str, float] = {}  # schema -> monotonic time this process last marked it


def activity_touch(business: Any) -> None:
    """Mark `business` active. Every page view calls this: the Redis write happens at most
    once a minute per process, since a mark lasts 30 minutes anyway."""
    schema = business.schema_name
    now = time.monotonic()
    if now - _touched.get(schema, -1e9) < TOUCH_EVERY:
        return
    with in_schema(schema):
        cache.set(KEY.format(schema=schema), 1, timeout=ACTIVE_FOR)
    _touched[schema] = now


def activity_recent(business: Any) -> bool:
    with in_schema(business.schema_name):
        return cache.get(KEY.format(schema=business.schema_name)) is not None
