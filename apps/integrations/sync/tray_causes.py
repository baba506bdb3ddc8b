"""Tray causes of the QuickBooks connection: reconnect, link expiring, last sync failed
(plugged in ``oodaloo/wiring.py``; contract in ``apps/core/tray_causes.py``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from apps.core.dates import local_time
from apps.core.tray_causes import TrayCause, TrayContext, TrayKind
from apps.integrations.sync.models import QboConnection, SyncRun

RECONNECT_WARNING = timedelta(days=14)
CONNECTION = TrayKind("connection", "Connection problem")  # the bank feed raises it too


def connection_causes(ctx: TrayContext) -> list[TrayCause]:
    conn = QboConnection.objects.filter(business=ctx.business).first()
    if conn is None:
        return []
    out = []
    now = ctx.now
    common = {"target_type": "connection", "target_id": "qbo"}
    if conn.status != QboConnection.Status.CONNECTED:
        out.append(TrayCause(
            "connection:qbo:reconnect", CONNECTION.value, Decimal(3), "Reconnect QuickBooks",
            "QuickBooks stopped accepting our connection, so your numbers are not updating.",
            impact_sentence="No runway change; until you reconnect, every figure here is frozen.",
            **common,
        ))
    elif conn.refresh_expires_at and conn.refresh_expires_at - now < RECONNECT_WARNING:
        days_left = max((conn.refresh_expires_at - now).days, 0)
        expires = local_time(conn.refresh_expires_at, ctx.business.timezone)
        out.append(TrayCause(
            "connection:qbo:expiring", CONNECTION.value, Decimal(4 if days_left <= 3 else 2),
            "Reconnect QuickBooks before the link expires",
            f"The QuickBooks link expires on {expires:%b %-d} "
            f"({days_left} days left); we emailed the owners 14 and 3 days before.",
            due_date=expires.date(),
            impact_sentence="No runway change; reconnecting keeps your numbers updating.",
            **common,
        ))
    last = SyncRun.objects.filter(business=ctx.business, source=SyncRun.Source.QBO).first()
    if last is not None and last.state == SyncRun.State.FAILED:
        out.append(TrayCause(
            "connection:qbo:sync_failed", CONNECTION.value, Decimal(1),
            "The last QuickBooks sync failed",
            (last.error or "No reason was given.")[:300],
            impact_sentence="No runway change; figures are as of the last good sync.",
            **common,
        ))
    return out
