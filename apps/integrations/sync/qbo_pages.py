"""Pages of a QBO sync: the entity order and limits, parsing and storing one page through
the sinks, quarantine of what fails, and the pipelined (prefetching) fetch. Used by the full
and incremental runs (qbo_sync.py) and the webhook paths (qbo_webhook.py)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.db import connections as db_connections
from django.utils import timezone

from apps.integrations.qbo.dtos import MappingError, parse_entity, row_key
from apps.integrations.sync import sinks
from apps.integrations.sync.models import QuarantinedRecord
from apps.tenancy.models import Business

# Reference data and names first, then documents, then what pays/moves money (links resolve
# in order: journal lines name classes, departments and accounts).
SYNC_ORDER: tuple[str, ...] = (
    "ExchangeRate", "CompanyCurrency", "Class", "Department", "Employee",
    "Account", "Vendor", "Customer",
    "Bill", "Invoice", "CreditMemo", "VendorCredit", "SalesReceipt", "RefundReceipt",
    "BillPayment", "Payment", "Purchase", "Deposit", "Transfer", "CreditCardPayment",
    "JournalEntry",
)
# A full sync's lanes, read at once after the reference data (SYNC_ORDER up to LANES_START):
# this process reads the first lane, a forked process each other one (qbo_lanes.py). A lane's
# types name only what is stored before the lanes start or earlier in the same lane (payments
# their invoices, bill payments their bills and vendor credits), never another lane's types.
# A type listed in several lanes is read page by page in turn by them: purchases, about half
# of an agency's entities, naming only accounts.
LANES: tuple[tuple[str, ...], ...] = (
    ("Invoice", "CreditMemo", "SalesReceipt", "RefundReceipt", "Payment"),
    ("Purchase", "Transfer", "CreditCardPayment", "Deposit", "JournalEntry"),
    ("Bill", "VendorCredit", "BillPayment", "Purchase"),
)
LANES_START = SYNC_ORDER.index("Bill")
WHOLE = (0, 1)  # a read's share of its type's pages (k, n): pages k, k + n, k + 2n…
Read = tuple[str, tuple[int, int]]
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


@dataclass
class _RunState:
    ctx: sinks.SinkContext
    counts: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    open_quarantine: dict[str, set[str]] = field(default_factory=dict)


def whole(entities: Iterable[str]) -> list[Read]:
    return [(entity, WHOLE) for entity in entities]


def split_lanes(order: Sequence[str]) -> tuple[list[str], list[list[Read]]]:
    """(read first, then the lanes' reads, at once) of a full sync's entity order; a type in
    no lane joins the first. Lanes with nothing to read are left out."""
    before = set(SYNC_ORDER[:LANES_START])
    wanted = set(order)
    lanes: list[list[Read]] = []
    for n, lane in enumerate(LANES):
        lanes.append([])
        for entity in lane:
            holders = [m for m, other in enumerate(LANES) if entity in other]
            if entity in wanted:
                lanes[n].append((entity, (holders.index(n), len(holders))))
    placed = {e for lane in LANES for e in lane}
    lanes[0] += whole(e for e in order if e not in before and e not in placed)
    lanes = [lanes[0], *[lane for lane in lanes[1:] if lane]]
    return [e for e in order if e in before], lanes


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
            reason=reason[:4000], payload=_without_nul(payload), last_seen=now,
            resolved_at=None,
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


def _without_nul(value: Any) -> Any:
    """The payload without NUL characters: jsonb refuses ``\\u0000``, and a record that cannot
    be quarantined fails the whole run (QBO text may hold NUL)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


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
    """Fetch in one thread and parse in another while this page is stored: QBO serving the
    next page (its servers, the network, the rate limiter) overlaps our parsing of this one,
    and both overlap Postgres' work on the previous page. Yields (entity, rows, parsed) in
    order; a fetch error is raised here, at the page where it happened. Only the fetch thread
    touches the client while it runs."""
    fetched = _ahead(pages, depth, "qbo-fetch")
    return _ahead(((entity, rows, parse_page(entity, rows)) for entity, rows in fetched),
                  depth, "qbo-parse")


def _ahead(items: Iterator[Any], depth: int, name: str) -> Iterator[Any]:
    """``items`` produced in a thread of their own, up to ``depth`` ahead of the consumer;
    an exception is handed over in its place and raised there."""
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
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # noqa: BLE001 — handed to the consumer, raised there
            put(exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # an upstream stage stops with this one
            db_connections.close_all()  # this thread's own connections (token refresh)

    thread = threading.Thread(target=produce, name=name, daemon=True)
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
