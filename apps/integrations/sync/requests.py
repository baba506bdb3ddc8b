"""The QuickBooks sync's status as the dashboard and the API show it, and an owner's "sync
now" (API): queue the business's sync once, at most once a minute, audited. The sync itself is
the dispatcher's task (idempotent)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.core.errors import Conflict, PermissionDenied
from apps.core.rows import row_get
from apps.core.services.audit import audit_record
from apps.integrations.sync.connection import qbo_sync_enqueue
from apps.integrations.sync.models import QboConnection, SyncRun

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


def sync_status(business):
    # Read on every view (not cached): prepared statements, not the ORM (apps/core/rows.py).
    conn = row_get(QboConnection, "business_id = %s", [business.pk])
    last = row_get(SyncRun, "business_id = %s AND source = %s", [business.pk, SyncRun.Source.QBO],
                   order_by="started_at DESC")
    synced = last is not None and last.state == SyncRun.State.SUCCEEDED
    last_ok = last.finished_at if synced else None
    if last is not None and not synced:
        ok = list(
            SyncRun.objects.filter(
                business=business, source=SyncRun.Source.QBO, state=SyncRun.State.SUCCEEDED
            ).values_list("finished_at", flat=True)[:1]
        )
        synced = bool(ok)
        last_ok = ok[0] if ok else None
    needs_reconnect = conn is not None and conn.status != QboConnection.Status.CONNECTED
    expiring = (
        conn is not None
        and conn.refresh_expires_at is not None
        and conn.refresh_expires_at - timezone.now() < timedelta(days=14)
    )
    return {
        "conn": conn,
        "last": last,
        "last_ok_at": last_ok,
        "synced": synced,  # a QBO sync has succeeded at least once
        "running": last is not None and last.state == SyncRun.State.RUNNING,
        "failed": last is not None and last.state == SyncRun.State.FAILED,
        "needs_reconnect": needs_reconnect,
        "expiring": expiring and not needs_reconnect,
    }
