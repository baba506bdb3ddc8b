"""Running one QBO sync: the per-business Redis lease lock, the SyncRun record, the
finalisers every run ends with, failure bookkeeping and the company-level refresh."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

import redis as redis_lib
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core.allocations import fewer_collections
from apps.core.services.data_version import data_changed
from apps.integrations.qbo.client import QboClient
from apps.integrations.qbo.dtos import parse_entity
from apps.integrations.sync import sinks
from apps.integrations.sync.connection import ConnectError, connection_for, qbo_client_for
from apps.integrations.sync.locks import LockNotAcquired, sync_lock
from apps.integrations.sync.models import QboConnection, SyncRun
from apps.integrations.sync.qbo_pages import (
    CLOCK_SKEW,
    SOURCE,
    STOPPED,
    _open_quarantine,
    _RunState,
)
from apps.tenancy.models import Business

log = logging.getLogger(__name__)

def lock_seconds() -> float:
    """Lease of the sync lock, renewed after every page: how long a killed worker's lock can
    block the next sync of its business. Drills shorten it (env), like the digest lease."""
    return float(os.environ.get("OODALOO_SYNC_LOCK_SECONDS", "900"))


class SyncBusy(Exception):
    """Another worker is syncing this business right now."""


@lru_cache(maxsize=4)
def _redis(url: str) -> redis_lib.Redis:
    return redis_lib.Redis.from_url(url)


def _lock_prefix() -> str:
    # The database name keeps parallel test databases (and deployments sharing a Redis) apart.
    return f"{getattr(settings, 'SYNC_LOCK_PREFIX', '')}{connection.settings_dict['NAME']}:"


# --- company-level data ----------------------------------------------------------------------


def _company_refresh(conn: QboConnection, client: QboClient, business: Business) -> None:
    """Company name and home currency (Preferences) → connection and Business.currency."""
    info = client.company_info()
    prefs = parse_entity("Preferences", client.preferences())
    name = str(info.get("CompanyName") or conn.company_name)[:200]
    QboConnection.objects.filter(pk=conn.pk).update(
        company_name=name, home_currency=prefs.home_currency[:3],
        multicurrency_enabled=prefs.multicurrency_enabled,
    )
    if business.currency != prefs.home_currency:
        Business.objects.filter(pk=business.pk).update(currency=prefs.home_currency[:3])
        business.currency = prefs.home_currency[:3]


# --- runs ------------------------------------------------------------------------------------


def _finish(run: SyncRun, state: _RunState, client: QboClient, error: str = "") -> None:
    run.finished_at = timezone.now()
    run.requests = client.stats.requests if client is not None else 0
    run.entities = dict(state.counts) if state else {}
    run.quarantined = state.quarantined if state else 0
    run.error = error[:4000]
    run.state = SyncRun.State.FAILED if error else SyncRun.State.SUCCEEDED
    run.save()


def _record_failure(business: Business, conn: QboConnection, error: str) -> None:
    message = f"QuickBooks sync failed: {error}"[:2000]
    Business.objects.filter(pk=business.pk).update(last_error=message)
    QboConnection.objects.filter(pk=conn.pk).update(last_error=message)


def _run(
    business: Business,
    kind: str,
    body: Callable[[_RunState, QboClient, QboConnection, Any], datetime | None],
    *,
    wait: float = 0.0,
    advance: bool = True,
) -> SyncRun:
    """Lock, run ``body``, finalise, record. ``advance``: this run covered every entity type,
    so it may move ``changes_since`` and count as the business's last sync."""
    conn = connection_for(business)
    if conn is None or conn.status == QboConnection.Status.DISCONNECTED:
        raise ConnectError(f"{business.slug} is not connected to QuickBooks")
    with tenant_context(business):
        try:
            lock_cm = sync_lock(
                _redis(settings.REDIS_URL), business.schema_name, SOURCE,
                ttl=lock_seconds(), wait=wait, prefix=_lock_prefix(),
            )
            with lock_cm as lock:
                return _locked_run(business, conn, kind, body, lock, advance)
        except LockNotAcquired as exc:
            raise SyncBusy(str(exc)) from exc


def _locked_run(business: Business, conn: QboConnection, kind: str, body: Callable,
                lock: Any, advance: bool) -> SyncRun:
    # We hold the lock, so a run of this business still marked running died with its worker.
    SyncRun.objects.filter(
        business=business, source=SOURCE, state=SyncRun.State.RUNNING
    ).update(state=SyncRun.State.FAILED, finished_at=timezone.now(), error=STOPPED)
    run = SyncRun.objects.create(business=business, source=SOURCE, kind=kind)
    client = qbo_client_for(conn)
    ctx = sinks.SinkContext(business=business, realm_id=conn.realm_id, client=client)
    state = _RunState(ctx=ctx, open_quarantine=_open_quarantine(business))
    started = timezone.now()
    try:
        with fewer_collections():  # pages allocate millions of short-lived objects
            next_since = body(state, client, conn, lock)
        # The books changed: cached runway results must not outlive them. Bumped before the
        # finalisers (the tray's reads the runway) and after them (they adjust statuses).
        data_changed(business)
        for finaliser in sinks.finalisers():
            with transaction.atomic():
                finaliser(ctx, kind == SyncRun.Kind.FULL)
        data_changed(business)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.exception("qbo sync failed for %s", business.slug)
        _finish(run, state, client, error)
        _record_failure(business, conn, error)
        raise
    _finish(run, state, client)
    if not advance:
        return run  # a webhook fetch or a partial sync: the next CDC must still look back
    now = timezone.now()
    updates: dict[str, Any] = {"last_error": ""}
    if next_since is not None:
        updates["changes_since"] = next_since
    if kind == SyncRun.Kind.FULL:
        updates["last_full_sync_at"] = now
        updates.setdefault("changes_since", started - CLOCK_SKEW)
    QboConnection.objects.filter(pk=conn.pk).update(**updates)
    Business.objects.filter(pk=business.pk).update(last_sync_at=now, last_error="")
    return run
