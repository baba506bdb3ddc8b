"""The business's own audit log as a list: one filter for the portal page, its CSV download and
the API."""

from __future__ import annotations

from collections.abc import Mapping

from apps.core.models import AuditEvent


def activity_filtered(business, params: Mapping):
    """Newest first; `?action=` keeps actions starting with it (`bill.`, `reserve.funded`)."""
    qs = AuditEvent.objects.filter(business=business).order_by("-created_at", "-id")
    action = (params.get("action", "") or "").replace("\x00", "").strip()[:100]
    if action:
        qs = qs.filter(action__startswith=action)
    return qs
