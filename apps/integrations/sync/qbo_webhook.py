"""Webhook-targeted fetches (read back just the changed ids; deletions verified against QBO)
and ingestion of objects we already hold (outbox results), with the finalisers run after."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tenants.utils import tenant_context

from apps.core.services.data_version import data_changed
from apps.integrations.qbo.client import QboClient
from apps.integrations.qbo.dtos import Deleted
from apps.integrations.sync import sinks
from apps.integrations.sync.connection import connection_for
from apps.integrations.sync.models import QboConnection, SyncRun
from apps.integrations.sync.qbo_pages import (
    ID_CHUNK,
    PAGE,
    RATES,
    SYNC_ORDER,
    _chunks,
    _open_quarantine,
    _RunState,
    ingest_page,
)
from apps.integrations.sync.qbo_runner import _company_refresh, _run
from apps.tenancy.models import Business

log = logging.getLogger(__name__)

def _normalise_changes(changes: Any) -> list[dict[str, str]]:
    """Accept EntityChange objects, dicts, or {entity: [ids]} — return [{entity, id, operation}]."""
    out: list[dict[str, str]] = []
    if isinstance(changes, dict):
        for entity, ids in changes.items():
            out.extend({"entity": entity, "id": str(i), "operation": "Update"} for i in ids)
        return out
    for change in changes:
        get = change.get if isinstance(change, dict) else lambda k, c=change: getattr(c, k, "")
        out.append({
            "entity": str(get("entity")), "id": str(get("id")),
            "operation": str(get("operation") or "Update"),
            "deleted_id": str(get("deleted_id") or ""),
        })
    return out


def qbo_fetch_changed(business: Business, changes: Any, *, wait: float = 30.0) -> SyncRun:
    """Webhook follow-up: read just the changed entities (one query per entity type, ids
    IN (...)). A deletion is never taken on the webhook's word (a signed body proves only that
    someone holds the verifier token): the id is read back from QBO in the same query, and only
    an id QBO no longer returns (QBO cannot read deleted objects) is deleted here; one QBO
    still returns is stored as it is."""
    normal = _normalise_changes(changes)
    deleted: dict[str, set[str]] = {}
    fetch: dict[str, set[str]] = {}
    company = False
    for change in normal:
        entity, op = change["entity"], change["operation"].lower()
        if entity in ("CompanyInfo", "Preferences"):
            company = True
            continue
        if entity not in SYNC_ORDER or entity == RATES:
            continue  # entity types we do not sync (Item, ...) or rates (no Id): nothing to do
        if op == "delete":
            deleted.setdefault(entity, set()).add(change["id"])
        else:
            fetch.setdefault(entity, set()).add(change["id"])
        if op == "merge" and change.get("deleted_id"):
            deleted.setdefault(entity, set()).add(change["deleted_id"])

    def body(state: _RunState, client: QboClient, conn: QboConnection, lock: Any) -> None:
        if company:
            _company_refresh(conn, client, business)
        for entity in SYNC_ORDER:
            announced = deleted.get(entity, set()) - fetch.get(entity, set())
            ids = sorted(fetch.get(entity, set()) | announced, key=lambda v: (len(v), v))
            rows: list[dict[str, Any]] = []
            for chunk in _chunks(ids, ID_CHUNK):
                quoted = ", ".join("'" + i.replace("'", "") + "'" for i in chunk)
                rows += client.query(
                    f"SELECT * FROM {entity} WHERE Id IN ({quoted}) MAXRESULTS {PAGE}"
                )
            still_there = {str(row.get("Id")) for row in rows}
            gone = announced - still_there
            if announced & still_there:
                log.warning("qbo webhook announced deletion of %s %s, but QBO still has them: "
                            "not deleted", entity, sorted(announced & still_there))
            sink = sinks.sink_for(entity) if gone else None
            if sink is not None:
                with transaction.atomic():
                    result = sink(state.ctx, [Deleted(entity, i) for i in sorted(gone)])
                state.counts[entity] = state.counts.get(entity, 0) + result.stored
            for page in _chunks(rows):
                ingest_page(state, entity, page)
            lock.extend()
        return None

    return _run(business, SyncRun.Kind.WEBHOOK, body, wait=wait, advance=False)


def qbo_ingest_objects(business: Business, entity: str, rows: list[dict[str, Any]],
                       client: QboClient | None = None, *, finalise: bool = True) -> int:
    """Store objects we already hold (e.g. the BillPayment QBO returned for an outbox action).
    Runs inside the business's schema; no lock (a single upsert is idempotent)."""
    conn = connection_for(business)
    with tenant_context(business):
        ctx = sinks.SinkContext(business=business, realm_id=conn.realm_id, client=client)
        state = _RunState(ctx=ctx, open_quarantine=_open_quarantine(business))
        stored = ingest_page(state, entity, rows)
        data_changed(business)
        if finalise:
            for finaliser in sinks.finalisers():
                with transaction.atomic():
                    finaliser(ctx, False)
            data_changed(business)
    return stored
