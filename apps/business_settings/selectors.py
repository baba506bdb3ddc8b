"""Reading the current business's settings row (inside its tenant context)."""

from __future__ import annotations

from decimal import Decimal

from apps.business_settings.models import BusinessSettings
from apps.core.rows import row_get


def settings_get() -> BusinessSettings:
    """The current business's settings row (created with defaults on first read)."""
    row = row_get(BusinessSettings, "singleton = 1", [])  # every page view: no ORM build
    if row is None:
        row, _ = BusinessSettings.objects.get_or_create(singleton=1)
    return row


def approval_limit() -> Decimal:
    return settings_get().approval_limit
