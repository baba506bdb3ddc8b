"""The tray's field of the public summary row (apps/tenancy/summary.py)."""

from __future__ import annotations

from typing import Any

from apps.core.dates import local_today
from apps.tray.models import TrayItem


def tray_summary(business: Any) -> dict[str, Any]:
    """Decisions waiting: what the owner sees in the tray today."""
    return {"tray_waiting": TrayItem.objects.visible(local_today(business.timezone)).count()}
