"""An owner's "sync now" (portal button or API): queue the business's QuickBooks sync once,
at most once a minute, audited. The sync itself is the dispatcher's task (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from apps.accounts.models import Membership, Role
from apps.core.errors import Conflict, PermissionDenied
from apps.core.services.audit import audit_record
from apps.integrations.sync.connection import qbo_sync_enqueue
from apps.integrations.sync.models import QboConnection

REQUEST_GAP_SECONDS = 60


def qbo_sync_request(*, actor: Any, business: Any, full: bool = False) -> bool:
    """True when a sync was queued; False when one was queued within the last minute (a double
    click or a retry queues nothing more). Refused without a working QuickBooks connection."""
    if not Membership.objects.filter(user=actor, business=business, role=Role.OWNER).exists():
        raise PermissionDenied("Only an owner can start a sync.")
    conn = QboConnection.objects.filter(business=business).first()
    if conn is None or conn.status != QboConnection.Status.CONNECTED:
        raise Conflict("QuickBooks is not connected; connect it first.", code="not_connected")
    if not cache.add(f"qbo-sync-request:{business.pk}", 1, REQUEST_GAP_SECONDS):
        return False
    qbo_sync_enqueue(business, full=full)
    audit_record(actor=actor, action="qbo.sync_requested", business=business, obj=conn,
                 after={"full": full})
    return True
