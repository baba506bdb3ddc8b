"""The QBO sync engine: full sync, incremental (CDC) sync and webhook-targeted fetches.

Rows come from the QBO client page by page (≤ 1000), are parsed into DTOs, and handed to the
sinks the domain apps registered (``sinks.py``). A row that cannot be parsed or mapped goes to
``QuarantinedRecord`` with a readable reason and the sync goes on; a later good version of the
same record resolves its quarantine row. One sync at a time per business (Redis lease lock
``sync:{schema}:qbo``); every request goes through the shared per-realm limiter.

Layout: qbo_pages (order, limits, one page, quarantine, prefetch), qbo_runner (lock, SyncRun,
finalisers), qbo_webhook (webhook fetches, held objects); this module runs full and CDC syncs
and re-exports the names callers import from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from django.utils import timezone

from apps.integrations.qbo.client import QboClient
from apps.integrations.sync import sinks
from apps.integrations.sync.connection import connection_for, qbo_client_for
from apps.integrations.sync.models import QboConnection, SyncRun
from apps.integrations.sync.qbo_lanes import (
    CheckOnly,
    LaneResult,
    lane_absorb,
    lanes_allowed,
    other_lane,
)
from apps.integrations.sync.qbo_pages import (  # noqa: F401 — re-exported
    CDC_MAX_AGE,
    CLOCK_SKEW,
    ID_CHUNK,
    LEGACY_ENTITIES,
    PAGE,
    RATE_LOOKBACK,
    RATES,
    SOURCE,
    STOPPED,
    SYNC_ORDER,
    Read,
    _chunks,
    _prefetched,
    _RunState,
    ingest_page,
    parse_page,
    quarantine_records,
    split_lanes,
    whole,
)
from apps.integrations.sync.qbo_runner import (  # noqa: F401 — re-exported
    SyncBusy,
    _company_refresh,
    _lock_prefix,
    _run,
    lock_seconds,
)
from apps.integrations.sync.qbo_sweep import vanished_mark
from apps.integrations.sync.qbo_webhook import qbo_fetch_changed, qbo_ingest_objects  # noqa: F401
from apps.tenancy.models import Business

log = logging.getLogger(__name__)

Progress = Callable[[str, int], None]


def _select_entities(entities: Sequence[str] | None) -> list[str]:
    if not entities:
        return list(SYNC_ORDER)
    wanted = list(dict.fromkeys(entities))
    known = [e for e in SYNC_ORDER if e in wanted]
    return known + [e for e in wanted if e not in SYNC_ORDER and e != "CompanyInfo"]


def qbo_sync_run(
    business: Business,
    *,
    full: bool = False,
    kind: str | None = None,
    entities: Sequence[str] | None = None,
    progress: Progress | None = None,
    wait: float = 0.0,
) -> SyncRun:
    """Sync one business from QBO. Full = every entity by query, then what QBO no longer has
    is marked deleted (qbo_sweep.py); else CDC since the last sync (one request for all entity
    types) — past CDC's 30 days, a full sync.

    Raises ``SyncBusy`` when another sync holds the lock, ``ConnectError`` when not connected;
    a failure is recorded on the SyncRun, the connection and ``Business.last_error``, then raised.
    """
    conn = connection_for(business)
    since = conn.changes_since if conn else None
    now = timezone.now()
    # Past CDC's 30 days only a complete read shows what was deleted meanwhile: a full sync.
    full = full or since is None or now - since > CDC_MAX_AGE
    run_kind = kind or (SyncRun.Kind.FULL if full else SyncRun.Kind.INCREMENTAL)
    order = _select_entities(entities)
    report = progress or (lambda _entity, _n: None)

    def paged(state: _RunState, client: QboClient, conn: QboConnection, lock: Any,
              reads: Sequence[Read] | None = None, *,
              mark: bool = True, report: Progress = report) -> None:
        wanted = whole(order) if reads is None else reads
        pages = ((entity, page) for entity, share in wanted
                 for page in client.query_all(entity, page_size=PAGE, share=share))
        for entity, page, parsed in _prefetched(pages):
            ingest_page(state, entity, page, parsed)
            report(entity, len(page))
            lock.extend()
        if mark:
            _mark_synced(conn, [entity for entity, _share in wanted])

    def lane_work(reads: list[Read], state: _RunState, conn: QboConnection):
        """What a forked lane runs: its own client, state and database session."""

        def work(check: Callable[[], None]) -> LaneResult:
            client = qbo_client_for(conn)
            mine = _RunState(ctx=sinks.SinkContext(business=business, realm_id=conn.realm_id,
                                                   client=client),
                             open_quarantine=state.open_quarantine)
            # Marked synced by the parent once it has the result (one writer of that list).
            paged(mine, client, conn, CheckOnly(check), reads=reads, mark=False,
                  report=lambda _entity, _n: None)
            return LaneResult(mine.counts, mine.quarantined, mine.ctx.touched,
                              client.stats.requests)

        return work

    def backfill(state, client, conn, lock) -> None:
        """Entity types never read in full (added since the last full sync): read them all."""
        missing = [e for e in order if e not in _synced_entities(conn)]
        if missing:
            paged(state, client, conn, lock, reads=whole(missing))

    def full_body(state, client, conn, lock) -> datetime | None:
        started = timezone.now()
        _company_refresh(conn, client, business)
        read_all(state, client, conn, lock)
        # Every type was read completely (a failure raised): what it lacks, QBO deleted.
        vanished_mark(state, client, conn, order, started)
        return None

    def read_all(state, client, conn, lock) -> None:
        before, (here, *aside) = split_lanes(order)
        if not aside or not lanes_allowed():
            paged(state, client, conn, lock)
            return
        paged(state, client, conn, lock, reads=whole(before))
        with ExitStack() as lanes:
            joins = [lanes.enter_context(other_lane(lane_work(reads, state, conn),
                                                    keep_alive=lock.extend))
                     for reads in aside]
            paged(state, client, conn, lock, reads=here)
            results = [join() for join in joins]
        for result in results:
            lane_absorb(state, client, result, report)
        _mark_synced(conn, [entity for reads in aside for entity, _share in reads])

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

    body = full_body if full else cdc_body
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
