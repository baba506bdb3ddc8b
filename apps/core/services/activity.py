"""Is someone using a business's portal right now? The sync schedule tightens while they are
(DESIGN §5: at most every 30 min for QBO, 15 for Plaid)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django_tenants.utils import schema_context

ACTIVE_FOR = 30 * 60  # seconds a visit counts as "active"
KEY = "portal-active:{schema}"


def activity_touch(business: Any) -> None:
    with schema_context(business.schema_name):
        cache.set(KEY.format(schema=business.schema_name), 1, timeout=ACTIVE_FOR)


def activity_recent(business: Any) -> bool:
    with schema_context(business.schema_name):
        return cache.get(KEY.format(schema=business.schema_name)) is not None
