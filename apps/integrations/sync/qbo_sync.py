"""The QBO sync engine: full sync, incremental (CDC) sync and webhook-targeted fetches.

Rows come from the QBO client page by page (≤ 1000), are parsed into DTOs, and handed to the
sinks the domain apps registered (``sinks.py``). A row that cannot be parsed or mapped goes to
``QuarantinedRecord`` with a readable reason and the sync goes on; a later good version of the
same record resolves its quarantine row. One sync at a time per business (Redis lease lock
``sync:{schema}:qbo``); every request goes through the shared per-realm limiter.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import redis as redis_lib
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db import connections as db_connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core.services.data_version import data_changed
from apps.integrations.qbo.client import QboClient, format_qbo_time
from apps.integrations.qbo.dtos import Deleted, MappingError, parse_entity, row_key
from apps.integrations.sync import sinks
from apps.integrations.sync.connection import ConnectError, connection_for, qbo_client_for
from apps.integrations.sync.locks import LockNotAcquired, sync_lock
from apps.integrations.sync.models import QboConnection, QuarantinedRecord, SyncRun
from apps.tenancy.models import Business

log = logging.getLogger(__name__)

# Reference data and names first, then documents, then what pays/moves money (links resolve
# in order: journal lines name classes, departments and accounts).
SYNC_ORDER: tuple[str, ...] = (
    "ExchangeRate", "CompanyCurrency", "Class", "Department", "Employee",
    "Account", "Vendor", "Customer",
    "Bill", "Invoice", "CreditMemo", "VendorCredit", "SalesReceipt", "RefundReceipt",
    "BillPayment", "Payment", "Purchase", "Deposit", "Transfer", "CreditCardPayment",
    "JournalEntry",
)
# ExchangeRate objects have no Id, so neither CDC nor webhooks can carry them: every
# incremental run of a multicurrency company re-reads the rates dated from RATE_LOOKBACK
# before its window (a full sync reads them all); a rate is upserted by (currency, date),
# so reading it again is harmless.
RATES = "ExchangeRate"
# What a full sync read before the §4b entity types existed: a connection fully synced then
# (empty ``synced_entities``) has these and needs the others read in full once.
LEGACY_ENTITIES = frozenset({
    "Account", "Vendor", "Customer", "Bill", "Invoice", "CreditMemo", "BillPayment", "Payment",
    "Purchase", "Deposit", "Transfer",
})
RATE_LOOKBACK = timedelta(days=35)
CDC_MAX_AGE = timedelta(days=30) - timedelta(minutes=10)  # QBO looks back 30 days at most
# The next incremental sync asks for changes since the start of this one, minus a little skew.
CLOCK_SKEW = timedelta(minutes=2)
PAGE = 1000
# A webhook may name hundreds of ids: at most this many per `Id IN (…)` query (QBO's URLs and
# proxies choke on multi-KB queries; long ones are POSTed by the client anyway).
ID_CHUNK = 100
SOURCE = "qbo"
STOPPED = "the worker stopped mid-run (crash or kill); a later run redid the work"


def lock_seconds() -> float:
    """Lease of the sync lock, renewed after every page: how long a killed worker's lock can
    block the next sync of its business. Drills shorten it (env), like the digest lease."""
    return float(os.environ.get("OODALOO_SYNC_LOCK_SECONDS", "900"))

Progress = Callable[[str, int], None]


class SyncBusy(Exception):
    """Another worker is syncing this business right now."""


@lru_cache(maxsize=4)
def _redis(url: str) -> redis_lib.Redis:
    return redis_lib.Redis.from_url(url)


def _lock_prefix() -> str:
    # The database name keeps parallel test databases (and deployments sharing a Redis) apart.
    return f"{getattr(settings, 'SYNC_LOCK_PREFIX', '')}{connection.settings_dict['NAME']}:"


@dataclass
class _RunState:
    ctx: sinks.SinkContext
    counts: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    open_quarantine: dict[str, set[str]] = field(default_factory=dict)


# --- quarantine --------------------------------------------------------------------------


def _open_quarantine(business: Business) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    rows = QuarantinedRecord.objects.filter(
        business=business, source=SOURCE, resolved_at__isnull=True
    ).values_list("entity", "external_id")
    for entity, external_id in rows:
        out.setdefault(entity, set()).add(external_id)
    return out


def quarantine_records(
    business: Business, entity: str, bad: dict[str, tuple[str, Any]]
) -> int:
    """Upsert one open quarantine row per (entity, id): {id: (reason, payload)}."""
    if not bad:
        return 0
    now = timezone.now()
    objs = [
        QuarantinedRecord(
            business=business, source=SOURCE, entity=entity[:40], external_id=str(qbo_id)[:128],
            reason=reason[:4000], payload=payload, last_seen=now, resolved_at=None,
        )
        for qbo_id, (reason, payload) in bad.items()
    ]
    QuarantinedRecord.objects.bulk_create(
        objs,
        update_conflicts=True,
        unique_fields=["business", "source", "entity", "external_id"],
        update_fields=["reason", "payload", "last_seen", "resolved_at"],
    )
    return len(objs)


def _resolve_quarantine(state: _RunState, entity: str, good_ids: Iterable[str]) -> None:
    open_ids = state.open_quarantine.get(entity)
    if not open_ids:
        return
    fixed = open_ids.intersection(good_ids)
    if fixed:
        QuarantinedRecord.objects.filter(
            business=state.ctx.business, source=SOURCE, entity=entity,
            external_id__in=fixed, resolved_at__isnull=True,
        ).update(resolved_at=timezone.now())
        open_ids.difference_update(fixed)


# --- one page --------------------------------------------------------------------------------


def _row_id(entity: str, row: Any, n: int) -> str:
    return row_key(entity, row) or f"(row {n}, no Id)"


def parse_page(entity: str, rows: Sequence[Any]) -> tuple[list[Any], dict[str, tuple[str, Any]]]:
    """Rows → (DTOs, {id: (reason, row)} for the rows that cannot be parsed). Pure: no DB, so
    the full sync runs it in its fetch thread."""
    bad: dict[str, tuple[str, Any]] = {}
    dtos: list[Any] = []
    for n, row in enumerate(rows):
        try:
            dtos.append(parse_entity(entity, row))
        except MappingError as exc:
            bad[_row_id(entity, row, n)] = (exc.reason, row)
    return dtos, bad


def ingest_page(state: _RunState, entity: str, rows: Sequence[Any],
                parsed: tuple[list[Any], dict[str, tuple[str, Any]]] | None = None) -> int:
    """Parse (unless ``parsed`` is given), map and store one page; quarantine what fails.
    Returns rows stored."""
    dtos, bad = parsed if parsed is not None else parse_page(entity, rows)
    sink = sinks.sink_for(entity)
    stored = 0
    if sink is None and dtos:
        for dto in dtos:
            bad[dto.qbo_id] = (f"entity type {entity} has no handler in Oodaloo", None)
        dtos = []
    if dtos:
        try:
            with transaction.atomic():
                result = sink(state.ctx, dtos)
        except DatabaseError:
            # One bad row must not sink the page: store row by row to find it.
            result = sinks.SinkResult()
            for dto in dtos:
                try:
                    with transaction.atomic():
                        one = sink(state.ctx, [dto])
                except DatabaseError as exc:
                    result.rejected[dto.qbo_id] = f"the database refused it: {exc}".strip()
                else:
                    result.stored += one.stored
                    result.rejected.update(one.rejected)
        stored = result.stored
        if result.rejected:
            by_id = None
            for qbo_id, reason in result.rejected.items():
                if by_id is None:
                    by_id = {_row_id(entity, r, i): r for i, r in enumerate(rows)}
                bad[qbo_id] = (reason, by_id.get(qbo_id))
        good = {d.qbo_id for d in dtos if d.qbo_id not in result.rejected}
        _resolve_quarantine(state, entity, good)
    if bad:
        state.quarantined += quarantine_records(state.ctx.business, entity, bad)
    state.counts[entity] = state.counts.get(entity, 0) + stored
    return stored


def _chunks(rows: list[Any], size: int = PAGE) -> Iterable[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# --- pipelined fetch ---------------------------------------------------------------------------

_DONE = object()


def _prefetched(pages: Iterator[tuple[str, list[Any]]], depth: int = 2
                ) -> Iterator[tuple[str, list[Any], tuple[list[Any], dict]]]:
    """Fetch and parse the next pages in a thread while this one is stored: waiting for QBO
    (its servers, the network, the rate limiter) and parsing overlap Postgres' work on the
    previous page. Yields (entity, rows, parsed) in order; a fetch error is raised here, at
    the page where it happened. Only the thread touches the client while it runs."""
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for entity, rows in pages:
                if not put((entity, rows, parse_page(entity, rows))):
                    return
            put(_DONE)
        except BaseException as exc:  # noqa: BLE001 — handed to the consumer, raised there
            put(exc)
        finally:
            db_connections.close_all()  # this thread's own connections (token refresh)

    thread = threading.Thread(target=produce, name="qbo-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=60)


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


def _select_entities(entities: Sequence[str] | None) -> list[str]:
    if not entities:
        return list(SYNC_ORDER)
    wanted = list(dict.fromkeys(entities))
    known = [e for e in SYNC_ORDER if e in wanted]
    return known + [e for e in wanted if e not in SYNC_ORDER and e != "CompanyInfo"]


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


def qbo_sync_run(
    business: Business,
    *,
    full: bool = False,
    kind: str | None = None,
    entities: Sequence[str] | None = None,
    progress: Progress | None = None,
    wait: float = 0.0,
) -> SyncRun:
    """Sync one business from QBO. Full = every entity by query; else CDC since the last sync
    (one request for all entity types), or per-entity LastUpdatedTime queries past 30 days.

    Raises ``SyncBusy`` when another sync holds the lock, ``ConnectError`` when not connected;
    a failure is recorded on the SyncRun, the connection and ``Business.last_error``, then raised.
    """
    conn = connection_for(business)
    since = conn.changes_since if conn else None
    now = timezone.now()
    full = full or since is None
    run_kind = kind or (SyncRun.Kind.FULL if full else SyncRun.Kind.INCREMENTAL)
    order = _select_entities(entities)
    report = progress or (lambda _entity, _n: None)

    def paged(state: _RunState, client: QboClient, conn: QboConnection, lock: Any,
              where: str = "", entities: Sequence[str] | None = None) -> datetime | None:
        if not where and entities is None:
            _company_refresh(conn, client, business)
        wanted = order if entities is None else entities
        pages = ((entity, page) for entity in wanted
                 for page in client.query_all(entity, where=_where_for(entity, where, since),
                                              page_size=PAGE))
        for entity, page, parsed in _prefetched(pages):
            ingest_page(state, entity, page, parsed)
            report(entity, len(page))
            lock.extend()
        if not where:
            _mark_synced(conn, wanted)
        return None

    def backfill(state, client, conn, lock) -> None:
        """Entity types never read in full (added since the last full sync): read them all."""
        missing = [e for e in order if e not in _synced_entities(conn)]
        if missing:
            paged(state, client, conn, lock, entities=missing)

    def full_body(state, client, conn, lock) -> datetime | None:
        paged(state, client, conn, lock)
        return None

    def stale_body(state, client, conn, lock) -> datetime | None:
        started = timezone.now()
        backfill(state, client, conn, lock)
        where = f"MetaData.LastUpdatedTime > '{format_qbo_time(since)}'"
        paged(state, client, conn, lock, where=where)
        return started - CLOCK_SKEW

    def cdc_body(state, client, conn, lock) -> datetime | None:
        # CompanyInfo is not asked for here (not every CDC endpoint accepts it); a rename
        # arrives by webhook (targeted refresh) or the next full sync.
        backfill(state, client, conn, lock)
        result = client.cdc_all([e for e in order if e != RATES], since)
        if result.queried:  # CDC was capped even per entity: read by LastUpdatedTime instead
            log.info("qbo cdc over its cap for %s: %s read by query", business.slug,
                     sorted(result.queried))
        if RATES in order and conn.multicurrency_enabled:  # one currency: no rates to read
            for page in client.query_all(RATES, where=_recent_rates(since), page_size=PAGE):
                ingest_page(state, RATES, page)
                report(RATES, len(page))
        for entity in order:
            rows = result.get(entity) or []
            if entity == "Invoice" and rows:
                rows = _invoices_with_links(client, rows)
            for page in _chunks(rows):
                ingest_page(state, entity, page)
                report(entity, len(page))
            lock.extend()
        return result.time or (now - CLOCK_SKEW)

    if full:
        body = full_body
    elif now - since > CDC_MAX_AGE:
        body = stale_body
    else:
        body = cdc_body
    return _run(business, run_kind, body, wait=wait, advance=set(SYNC_ORDER) <= set(order))


def _invoices_with_links(client: QboClient, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CDC answers carry no `include=` data, so changed invoices are read again by id (the
    query asks for `InvoiceLink`); otherwise a sent invoice's pay link would arrive only with
    the next full sync, and a stored one would be blanked."""
    live = [str(r.get("Id")) for r in rows if r.get("status") != "Deleted"]
    fresh: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(live, ID_CHUNK):
        quoted = ", ".join("'" + i.replace("'", "") + "'" for i in chunk)
        for row in client.query(f"SELECT * FROM Invoice WHERE Id IN ({quoted}) "
                                f"MAXRESULTS {PAGE}"):
            fresh[str(row.get("Id"))] = row
    return [fresh.get(str(r.get("Id")), r) for r in rows]


def _synced_entities(conn: QboConnection) -> set[str]:
    return set(conn.synced_entities or (LEGACY_ENTITIES if conn.last_full_sync_at else ()))


def _mark_synced(conn: QboConnection, entities: Sequence[str]) -> None:
    """Every page of these types is stored: later runs may rely on CDC for them."""
    done = sorted(_synced_entities(conn) | set(entities))
    QboConnection.objects.filter(pk=conn.pk).update(synced_entities=done)
    conn.synced_entities = done


def _recent_rates(since: datetime) -> str:
    """The query filter of an incremental run's rates (see RATE_LOOKBACK)."""
    return f"AsOfDate >= '{(since - RATE_LOOKBACK).date().isoformat()}'"


def _where_for(entity: str, where: str, since: datetime | None) -> str:
    """Rates have no MetaData to filter on: a windowed query asks for them by AsOfDate."""
    return _recent_rates(since) if where and since and entity == RATES else where


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
