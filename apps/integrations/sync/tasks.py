"""Celery tasks of the sync engine and the outbox. Thin: each calls one service.

Per-business tasks use ``BusinessTask`` and are sent from inside ``tenant_context(business)``
(tenant-schemas-celery carries the schema); dispatchers run in public and fan out.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from celery import current_app, shared_task
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core import hooks
from apps.core.services.activity import activity_recent
from apps.core.tasks import BusinessTask, PublicTask
from apps.core.tenant import current_business
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync import outbox
from apps.integrations.sync.connection import QBO_SYNC_BUSINESS
from apps.integrations.sync.models import QboConnection
from apps.integrations.sync.policy import is_sync_due
from apps.integrations.sync.qbo_sync import SyncBusy, qbo_fetch_changed, qbo_sync_run
from apps.tenancy.models import Business

log = logging.getLogger(__name__)
# Enqueue one Plaid item's feed sync (with balances): `enqueue(item_id)`, plugged by the bank.
PLAID_FEED_SYNC = "plaid.feed_sync"
DISPATCH_TICK = timedelta(minutes=5)


@shared_task(name=QBO_SYNC_BUSINESS, base=BusinessTask, bind=True, max_retries=3)
def qbo_sync_business_task(self, full: bool = False) -> dict[str, Any]:
    try:
        run = qbo_sync_run(current_business(fresh=True), full=full)
    except SyncBusy as exc:
        if (self.request.delivery_info or {}).get("redelivered"):
            # A crashed worker's lease may still hold the lock: come back once it has lapsed,
            # so the interrupted (possibly full) sync is finished, not dropped.
            raise self.retry(exc=exc, countdown=60) from exc
        return {"skipped": "another sync is running"}
    return {"run": run.pk, "entities": run.entities, "requests": run.requests}


@shared_task(name="sync.qbo_fetch_changed", base=BusinessTask, bind=True, max_retries=5)
def qbo_fetch_changed_task(self, changes: list[dict[str, str]]) -> dict[str, Any]:
    try:
        run = qbo_fetch_changed(current_business(fresh=True), changes)
    except SyncBusy as exc:
        # A full/incremental sync holds the lock; it will usually cover these changes too,
        # but try again shortly so a webhook is never lost.
        raise self.retry(exc=exc, countdown=60)
    return {"run": run.pk, "entities": run.entities}


@shared_task(name=outbox.ACTION_EXECUTE, base=BusinessTask)
def action_execute_task(action_id: int) -> str:
    return outbox.action_execute(action_id).state


@shared_task(name="sync.action_reconcile", base=BusinessTask)
def action_reconcile_task(action_id: int) -> str:
    return outbox.action_reconcile(action_id).state


def _user_active(business: Business) -> bool:
    """Was the portal used in the last 30 minutes? (recorded by the membership middleware)."""
    return activity_recent(business)


def _sync_due(
    source: str, business: Business, last_sync_at: datetime | None, now: datetime
) -> bool:
    """Does the policy say ``source`` is due for ``business``, on the business's own clock?"""
    try:
        tz = zoneinfo.ZoneInfo(business.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    last = last_sync_at.astimezone(tz) if last_sync_at else None
    active = _user_active(business)
    return is_sync_due(source, now.astimezone(tz), last, active, slack=DISPATCH_TICK / 2)


@shared_task(name="sync.dispatch", base=PublicTask)
def sync_dispatch_task() -> int:
    """Every 5 min: enqueue a QBO sync for each connected business the policy says is due."""
    sent = 0
    now = timezone.now()
    connections = QboConnection.objects.filter(
        status=QboConnection.Status.CONNECTED
    ).select_related("business")
    for conn in connections:
        business = conn.business
        if _sync_due("qbo", business, business.last_sync_at, now):
            with tenant_context(business):
                qbo_sync_business_task.delay(full=conn.changes_since is None)
            sent += 1
    return sent + _plaid_dispatch(now)


def _plaid_dispatch(now) -> int:
    """Bank feeds on their own (tighter) cadence. The feed sync is the bank app's (a domain task
    this layer cannot import): the enqueuer plugged at ``PLAID_FEED_SYNC`` (oodaloo/wiring.py)."""
    enqueue = hooks.one(PLAID_FEED_SYNC)
    sent = 0
    items = PlaidItem.objects.filter(
        status__in=[PlaidItem.Status.OK, PlaidItem.Status.PENDING_EXPIRATION]
    ).select_related("business")
    for item in items:
        business = item.business
        retry_at = item.retry_at()
        if retry_at is not None and now < retry_at:
            continue  # failing: waits longer each time (a person's "Sync now" still runs)
        if _sync_due("plaid", business, item.last_sync_at, now):
            with tenant_context(business):
                enqueue(item.item_id)
            sent += 1
    return sent


@shared_task(name="sync.actions_reconcile_dispatch", base=PublicTask)
def actions_reconcile_dispatch_task() -> int:
    """Every 10 min: reconcile unknown and stale actions, each in its business's schema."""
    sent = 0
    for action in outbox.actions_needing_reconcile().select_related("business"):
        with tenant_context(action.business):
            action_reconcile_task.delay(action.pk)
        sent += 1
    return sent


@shared_task(name="sync.qbo_reconnect_notices", base=PublicTask)
def qbo_reconnect_notices_task() -> dict[str, Any]:
    """Kept for beat rows stored before the alerts took the reconnect notices over
    (apps/alerts, kind `qbo_reconnect`): hands over to the alerts' tick, by name (layer)."""
    current_app.send_task("alerts.dispatch")
    return {"forwarded": "alerts.dispatch"}
