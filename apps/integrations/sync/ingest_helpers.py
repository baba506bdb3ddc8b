"""Helpers the domain sinks share: bulk upserts keyed on (realm_id, qbo_id), one-query FK
lookups per page, deletion marks, and money checks that keep one absurd row from failing a
whole page (the database would refuse it, and every other row of the page with it)."""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from apps.integrations.qbo.dtos import Deleted
from apps.integrations.sync.sinks import SinkResult

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("1000000000000")  # DecimalField(max_digits=14, decimal_places=2)
SYNCED_UPDATE_FIELDS = ["sync_token", "qbo_updated_at", "is_deleted", "synced_at"]
# The conflict update's condition: never replace a row with an older version of it. Writers
# outside the sync lock (an action's after-hook re-reading the bill it paid) may store a newer
# version while a page fetched before it waits to be stored. QBO's SyncToken goes up with every
# change, so it decides when both are numbers; else LastUpdatedTime; a row with neither (a
# placeholder) is always replaced.
_NOT_OLDER = (
    'WHERE NOT CASE WHEN "{t}"."sync_token" ~ \'^[0-9]{{1,18}}$\' '
    'AND EXCLUDED."sync_token" ~ \'^[0-9]{{1,18}}$\' '
    'THEN EXCLUDED."sync_token"::bigint < "{t}"."sync_token"::bigint '
    'ELSE COALESCE(EXCLUDED."qbo_updated_at" < "{t}"."qbo_updated_at", FALSE) END'
)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def money_problem(name: str, value: Decimal, *, negative_ok: bool = True) -> str | None:
    """A readable reason when an amount cannot be stored, else None."""
    if abs(value) >= MONEY_LIMIT:
        return f"{name} {value} is too large to be real"
    if not negative_ok and value < 0:
        return f"{name} is negative ({value})"
    return None


def lines_problem(lines: Iterable[Any]) -> str | None:
    """The first line whose ``amount`` cannot be stored, as a reason, else None."""
    return next((p for ln in lines if (p := money_problem("Line.Amount", ln.amount))), None)


def unknown_party(kind: str, ref: Any) -> str:
    """Why a document naming a vendor/customer we do not hold is quarantined."""
    return (f"{kind}Ref {ref.value} is not a known {kind.lower()} "
            "(not in QuickBooks, or quarantined)")


def split_deleted(dtos: Sequence[Any]) -> tuple[list[Any], list[str]]:
    live, gone = [], []
    for dto in dtos:
        (gone.append(dto.qbo_id) if isinstance(dto, Deleted) else live.append(dto))
    return live, gone


def mark_deleted(model: type[models.Model], realm_id: str, qbo_ids: Iterable[str]) -> int:
    ids = list(qbo_ids)
    if not ids:
        return 0
    return model.objects.filter(realm_id=realm_id, qbo_id__in=ids).update(is_deleted=True)


def _rows_by_qbo_id(model: type[models.Model], columns: str, realm_id: str,
                    qbo_ids: Iterable[str], where: str = "", params: Sequence[Any] = ()
                    ) -> list[tuple[Any, ...]]:
    """Rows (``columns``) of the given QBO ids in one query: one array parameter, not an IN
    list of a thousand (cheaper to build, send and plan)."""
    wanted = {i for i in qbo_ids if i}
    if not wanted:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT {columns} FROM "{model._meta.db_table}" '
            f'WHERE "realm_id" = %s AND "qbo_id" = ANY(%s){where}',
            [realm_id, list(wanted), *params])
        return cursor.fetchall()


def id_map(model: type[models.Model], realm_id: str, qbo_ids: Iterable[str],
           where: str = "", params: Sequence[Any] = ()) -> dict[str, int]:
    """{qbo_id: pk} for the given ids in one query (skips empty ids); ``where`` narrows it
    (SQL starting with `` AND``, its ``params`` after the ids)."""
    return id_maps(realm_id, {"ids": (model, qbo_ids, where, params)})["ids"]


def id_maps(realm_id: str, lookups: dict[str, tuple[Any, ...]]) -> dict[str, dict[str, int]]:
    """Several ``id_map`` lookups of one page in one query: {name: (model, qbo_ids[, where,
    params])} → {name: {qbo_id: pk}}. One round trip, not one per lookup: in the threaded sync
    each answer waits for the GIL, which costs more than the query."""
    out: dict[str, dict[str, int]] = {name: {} for name in lookups}
    parts, args = [], []
    for n, (model, qbo_ids, *rest) in enumerate(lookups.values()):
        where, params = (rest[0] if rest else ""), (rest[1] if len(rest) > 1 else ())
        wanted = {i for i in qbo_ids if i}
        if wanted:
            parts.append(f'SELECT {n}, "qbo_id", "{model._meta.pk.column}" '
                         f'FROM "{model._meta.db_table}" '
                         f'WHERE "realm_id" = %s AND "qbo_id" = ANY(%s){where}')
            args += [realm_id, list(wanted), *params]
    if parts:
        names = list(lookups)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), args)
            for n, qbo_id, pk in cursor.fetchall():
                out[names[n]][qbo_id] = pk
    return out


def held_rows(model: type[models.Model], columns: Sequence[str], realm_id: str,
              qbo_ids: Iterable[str]) -> dict[str, tuple[Any, ...]]:
    """{qbo_id: (columns…)} of the live rows we hold for these ids."""
    cols = ", ".join(f'"{c}"' for c in columns)
    return {row[0]: row[1:] for row in _rows_by_qbo_id(
        model, f'"qbo_id", {cols}', realm_id, qbo_ids, ' AND NOT "is_deleted"')}


def _insert_defaults(model: type[models.Model], given: set[str]) -> list[tuple[str, Any]]:
    """(column, value) for NOT NULL columns the rows do not carry (Python-side defaults such
    as Bill.status), so an INSERT of a new row is complete."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in given or f.attname in given:
            continue
        if f.null and not f.has_default():
            continue
        value = f.get_default()  # "" for blank text fields without a default, as Django does
        if value is None and not f.null:
            raise ValueError(f"{model.__name__}.{f.name} has no value and no default")
        out.append((f.column, f.get_db_prep_save(value, connection)))
    return out


def upsert(
    model: type[models.Model], rows: list[dict[str, Any]], update_fields: list[str]
) -> dict[str, int]:
    """Bulk ``INSERT … ON CONFLICT (realm_id, qbo_id) DO UPDATE`` of plain dicts (keys are
    field attnames: ``vendor_id``, ``total``…); returns {qbo_id: pk}.

    Rows travel by COPY into a session temp table, then one INSERT … SELECT: far cheaper than
    building model instances and a 20,000-parameter statement per page (the sync ingest target
    is ≥ 10,000 records/s). Only ``update_fields`` (+ the sync bookkeeping) change on conflict,
    so Oodaloo's own columns (bill workflow status, approvals) are never overwritten; nor is a
    newer version we hold (``_NOT_OLDER``): such a row is left out of the returned ids, so its
    lines are not replaced either."""
    if not rows:
        return {}
    rows = list({row["qbo_id"]: row for row in rows}.values())  # one row per id, newest last
    meta = model._meta
    table = meta.db_table
    attnames = list(rows[0].keys())
    columns = [meta.get_field(a).column if a != "synced_at" else "synced_at" for a in attnames]
    now = timezone.now()
    columns.append("synced_at")
    extras = _insert_defaults(model, set(columns))
    updates = [meta.get_field(f).column for f in [*update_fields, *SYNCED_UPDATE_FIELDS]]
    col_sql = ", ".join(f'"{c}"' for c in columns)
    # Named by what it holds (schema, table, columns) and short enough never to be truncated.
    tmp = "_up_" + hashlib.blake2b(f"{connection.schema_name}:{table}:{col_sql}".encode(),
                                   digest_size=10).hexdigest()
    extra_cols = "".join(f', "{c}"' for c, _ in extras)
    extra_vals = "".join(", %s" for _ in extras)
    set_sql = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in dict.fromkeys(updates))
    # One transaction at least (no savepoint of its own): staged rows never outlive a failure.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        _temp_table(cursor, tmp, col_sql, table)
        with _copy(cursor, f'COPY "{tmp}" ({col_sql}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([*row.values(), now])
        # The staged rows are consumed by the same statement (DELETE … RETURNING), so the temp
        # table is empty again without a TRUNCATE round trip.
        cursor.execute(
            f'WITH staged AS (DELETE FROM "{tmp}" RETURNING {col_sql}) '
            f'INSERT INTO "{table}" ({col_sql}{extra_cols}) '
            f'SELECT {col_sql}{extra_vals} FROM staged '
            f'ON CONFLICT ("realm_id", "qbo_id") DO UPDATE SET {set_sql} '
            f'{_NOT_OLDER.format(t=table)} '
            'RETURNING "qbo_id", "id"',
            [v for _, v in extras],
        )
        return dict(cursor.fetchall())


# Per database session (the psycopg connection: a new session is a new object), the staging
# tables known to exist because their CREATE really committed.
_staged: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _temp_table(cursor: Any, tmp: str, col_sql: str, table: str) -> None:
    """The session's staging table for this table and column list. A temp table lives as long
    as its session, so once its CREATE has committed every later page reuses it without a round
    trip (in a threaded sync that wait costs far more than the statement: the GIL is busy with
    the next pages when the answer comes back).

    Remembered only after a real commit: on_commit callbacks can also run while an outer
    transaction is still open (a test executing captured callbacks, whose transaction then rolls
    back and drops the table), so the callback checks that no transaction block is left. Assumes
    one server session per Django connection (no transaction-mode pooler: docs/scaling.md)."""
    known = _staged.setdefault(connection.connection, set())
    if tmp in known:
        return
    cursor.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{tmp}" AS '
                   f'SELECT {col_sql} FROM "{table}" WITH NO DATA')

    def committed() -> None:  # dropped with its connection, so `known` is still this session's
        if not connection.in_atomic_block:
            known.add(tmp)

    transaction.on_commit(committed)


@contextmanager
def _copy(cursor: Any, sql: str) -> Iterator[Any]:
    """psycopg's COPY, its errors raised as Django's (``DataError``…) as ``execute`` does: the
    page fallback (qbo_pages.ingest_page) catches ``DatabaseError`` to store row by row and
    quarantine the row the database refuses — a raw psycopg error would fail the whole sync."""
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        yield copy


def copy_insert(model: type[models.Model], rows: list[dict[str, Any]]) -> int:
    """Plain bulk INSERT by COPY (payment lines: replaced wholesale, no conflicts possible)."""
    if not rows:
        return 0
    meta = model._meta
    columns = [meta.get_field(a).column for a in rows[0]]
    col_sql = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        with _copy(cursor, f'COPY "{meta.db_table}" ({col_sql}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(list(row.values()))
    return len(rows)


def synced_fields(dto: Any, realm_id: str) -> dict[str, Any]:
    return {
        "realm_id": realm_id,
        "qbo_id": dto.qbo_id,
        "sync_token": dto.sync_token[:16],
        "qbo_updated_at": dto.last_updated,
        "is_deleted": False,
    }


def clip(text: str, length: int) -> str:
    """``text`` cut to its column; NUL dropped (Postgres text cannot hold it, QBO text can)."""
    text = text or ""
    return (text.replace("\x00", "") if "\x00" in text else text)[:length]


def currency_fields(dto: Any, ctx: Any) -> dict[str, Any]:
    """``currency`` (CurrencyRef, else the home currency) and ``exchange_rate`` (the
    transaction's ExchangeRate; NULL when the transaction is in the home currency), the
    convention of every money model (apps/ap/models.py)."""
    home = ctx.business.currency
    currency = clip(dto.currency or home, 3)
    return {"currency": currency, "exchange_rate": None if currency == home else dto.exchange_rate}


def ref_value(ref: Any) -> str:
    """A QBO ref's id, or "" when absent (the ``*_qbo_id`` columns)."""
    return clip(ref.value, 32) if ref is not None else ""


def replace_lines(model: type[models.Model], parent_field: str, pks: dict[str, int],
                  lines_of: dict[str, list[dict[str, Any]]]) -> None:
    """Child lines are replaced wholesale: QBO sends the whole transaction every time.
    ``lines_of`` maps a parent's qbo_id to its line rows (without the parent key). One plain
    DELETE (nothing refers to a line, no signals: Django's collector would first SELECT them)."""
    if not pks:
        return
    column = model._meta.get_field(parent_field).column
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE "{column}" = ANY(%s)',
                       [list(pks.values())])
    copy_insert(model, [
        {parent_field: pk, **line} for qbo_id, pk in pks.items() for line in lines_of[qbo_id]
    ])


# --- a sink from its parts ---------------------------------------------------------------------


@dataclass(frozen=True)
class Lines:
    """A child table replaced with its parent: ``rows(dto, found)`` → the line rows of one
    parent (without ``parent``, the FK attname such as ``payment_id``)."""

    model: type[models.Model]
    parent: str
    rows: Callable[[Any, Any], list[dict[str, Any]]]


def rows_sink(model: type[models.Model], update_fields: list[str],
              row: Callable[[Any, Any, Any], dict[str, Any] | str | None], *,
              lookups: Callable[[Any, list[Any]], Any] | None = None,
              lines: Sequence[Lines] = (),
              touch: tuple[str, Callable[[Any], Iterable[str]]] | None = None):
    """The sink every QBO entity shares: deletions marked, ``lookups(ctx, live)`` (the page's
    id maps, once) handed to ``row(ctx, dto, found)`` → the row to upsert, a reason to reject
    the DTO (str), or None to skip it; then the rows upserted in bulk, their ``lines``
    replaced, and ``touch = (entity, ids_of(dto))`` recorded for the finalisers."""

    def ingest(ctx: Any, dtos: list[Any]) -> SinkResult:
        live, gone = split_deleted(dtos)
        result = SinkResult(stored=mark_deleted(model, ctx.realm_id, gone))
        found = lookups(ctx, live) if lookups is not None else None
        rows, kept = [], {}
        for dto in live:
            out = row(ctx, dto, found)
            if isinstance(out, str):
                result.rejected[dto.qbo_id] = out
            elif out is not None:
                rows.append(out)
                kept[dto.qbo_id] = dto  # the newest version of an id wins, as in upsert
        pks = upsert(model, rows, update_fields)
        for spec in lines:
            replace_lines(spec.model, spec.parent, pks,
                          {qbo_id: spec.rows(dto, found) for qbo_id, dto in kept.items()})
        if touch is not None:
            entity, ids_of = touch
            ctx.touch(entity, [i for dto in kept.values() for i in ids_of(dto)])
        result.stored += len(rows)
        return result

    ingest.__name__ = f"{model._meta.model_name}s_ingest"
    return ingest


# --- shapes shared by several domain sinks (vendors/customers; bills/invoices) --------------

PARTY_FIELDS = ["display_name", "company_name", "email", "active", "balance", "currency"]
DOCUMENT_FIELDS = [
    "doc_number", "txn_date", "due_date", "total", "balance", "currency", "exchange_rate",
    "home_total", "home_balance",
]


def _party_row(ctx: Any, dto: Any, _found: Any) -> dict[str, Any] | str:
    return money_problem("Balance", dto.balance) or dict(
        **synced_fields(dto, ctx.realm_id),
        display_name=clip(dto.display_name, 200),
        company_name=clip(dto.company_name, 200),
        email=clip(dto.email, 254),
        active=dto.active,
        balance=money(dto.balance),
        currency=clip(dto.currency or ctx.business.currency, 3),
    )


def parties_ingest(model: type[models.Model]):
    """The sink for a name list (Vendor, Customer): same fields, same checks."""
    return rows_sink(model, PARTY_FIELDS, _party_row)


def document_problem(dto: Any) -> str | None:
    """Why a bill or invoice can't be stored (amounts), or None."""
    return (
        money_problem("TotalAmt", dto.total)
        or money_problem("Balance", dto.balance, negative_ok=False)
        or money_problem("HomeBalance", dto.home_balance, negative_ok=False)
        or money_problem("HomeTotalAmt", dto.home_total)
    )


def document_fields(dto: Any, ctx: Any) -> dict[str, Any]:
    """The columns bills and invoices share (see DOCUMENT_FIELDS)."""
    return dict(
        **synced_fields(dto, ctx.realm_id),
        doc_number=clip(dto.doc_number, 64),
        txn_date=dto.txn_date,
        due_date=dto.due_date,
        total=money(dto.total),
        balance=money(dto.balance),
        **currency_fields(dto, ctx),
        home_total=money(dto.home_total),
        home_balance=money(dto.home_balance),
    )


def documents_ingest(model: type[models.Model], party_model: type[models.Model], party: str,
                     extra: Any, extra_fields: list[str]):
    """The sink for open documents against a party (Bill → Vendor, Invoice → Customer): the
    party resolved by one id lookup, the document's common fields, plus ``extra(dto)`` (its own
    fields, named in ``extra_fields``). ``party``: "vendor" | "customer"."""
    ref = f"{party}_ref"

    def lookups(ctx: Any, live: list[Any]) -> dict[str, int]:
        return id_map(party_model, ctx.realm_id, (getattr(d, ref).value for d in live))

    def row(ctx: Any, dto: Any, parties: dict[str, int]) -> dict[str, Any] | str:
        party_ref = getattr(dto, ref)
        party_id = parties.get(party_ref.value)
        problem = document_problem(dto)
        if party_id is None:
            problem = problem or unknown_party(party_model.__name__, party_ref)
        return problem or dict(**document_fields(dto, ctx), **{f"{party}_id": party_id},
                               **{f"{party}_qbo_id": party_ref.value}, **extra(dto))

    return rows_sink(model, [party, f"{party}_qbo_id", *DOCUMENT_FIELDS, *extra_fields], row,
                     lookups=lookups, touch=(model.__name__, lambda dto: (dto.qbo_id,)))
