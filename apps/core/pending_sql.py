"""Statements sent on Django's own connection without waiting — the one place that depends on
the database driver's internals (psycopg 3: libpq's asynchronous send, the result loader) and on
how django-tenants sets a connection's search_path.

Used by the runway's input loader (apps/runway/selectors/pending.py): its input statements in
three round trips, each batch sent before Python builds the previous one's inputs.
Its benchmark is tests/bench/bench_runway.py (cold `runway_compute` against one hand-written SQL
query; the query counts of a small and a large business must be equal). A driver upgrade that
changes these internals breaks only this module.

A statement whose inputs nothing else needs soon (the runway's habit statistics) may run *aside*:
on a second connection of the same thread (autocommit, same database, same search_path), so
Postgres runs it on another core while the first connection serves the other batches. Only
outside a transaction block: a second connection cannot see uncommitted writes, so inside one
(and in tests that wrap each test in a transaction) it runs on Django's connection as before.

Why batches and not libpq's pipeline mode (one result flushed per statement): measured on the
runway's statements, pipeline mode's extended protocol and per-statement flushes cost Postgres
~0.8 ms more than the same statements in one simple-protocol batch, and every result wakes the
client once — on a loaded 2-core machine each wake-up can wait for a core.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from time import monotonic
from typing import Any

import psycopg
from django.conf import settings
from django.core.signals import request_finished
from django.db import connection
from django_tenants.utils import get_limit_set_calls, quote_schema_name
from psycopg import ClientCursor
from psycopg.adapt import Transformer
from psycopg.errors import error_from_result
from psycopg.pq import ConnStatus, DiagnosticField, ExecStatus


def _search_path_due() -> list[str] | None:
    """The schemas django-tenants would set on the next cursor (`_handle_search_path`), or None
    when the connection already has them."""
    if not hasattr(connection, "search_path_set_schemas"):
        return None  # not a django-tenants connection
    if get_limit_set_calls() and connection.search_path_set_schemas:
        return None
    return connection._get_cursor_search_paths()


_aside = threading.local()
_inherited: list[psycopg.Connection] = []  # a parent's connections, never closed by a child


def _aside_connection() -> psycopg.Connection:
    """This thread's second connection (opened on first use, kept like Django's own)."""
    conn = getattr(_aside, "conn", None)
    if conn is not None and _aside.pid != os.getpid():
        _inherited.append(conn)  # closing it here would end the parent's session
        conn = None
    if conn is None or conn.closed:
        conn = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        conn.execute(f"SET TIME ZONE '{connection.timezone_name}'")  # as Django sets its own
        _aside.conn, _aside.pid = conn, os.getpid()
    return conn


def aside_close() -> None:
    """Close this thread's second connection, if any (Django's connection closing closes it)."""
    conn = getattr(_aside, "conn", None)
    _aside.conn = None
    if conn is not None and _aside.pid == os.getpid():
        conn.close()


def _after_request(**_: Any) -> None:
    if connection.connection is None:  # Django closed its own (CONN_MAX_AGE): this one too
        aside_close()


# After Django's own close_old_connections, which is connected first (django.db).
request_finished.connect(_after_request, dispatch_uid="pending_sql.aside_close")


def aside_allowed() -> bool:
    """A second connection sees what Django's does only outside a transaction block."""
    return settings.PENDING_SQL_ASIDE and not connection.in_atomic_block


class PendingStatements:
    """Statements sent to Postgres in one go without waiting (libpq's asynchronous send on
    Django's own connection: same session, schema and transaction). Postgres runs them in order;
    Python does other work until it asks for the rows. Nothing else may use the connection until
    the last result is read (`rows()` as many times as there are statements) or `close()` is
    called. django-tenants' `SET search_path`, when due, leads the batch (a cursor would have sent
    it in a round trip of its own)."""

    def __init__(self, statements: Sequence[str], params: dict[str, Any], *,
                 aside: bool = False) -> None:
        """``aside``: on this thread's second connection (the caller checked `aside_allowed`);
        its search_path is set to the current business's every time."""
        connection.ensure_connection()
        self._aside = aside
        self._conn = _aside_connection() if aside else connection.connection
        self._encoding = self._conn.info.encoding
        self._search_path = (connection._get_cursor_search_paths()
                             if aside and hasattr(connection, "search_path_set_schemas")
                             else _search_path_due())
        with ClientCursor(self._conn) as binder:
            # Bound one by one: psycopg caches how it parses a statement of up to 4 kB, not a
            # longer batch.
            sql = ";\n".join(binder.mogrify(stmt.strip(), params) for stmt in statements)
        self._log = [sql]
        if self._search_path is not None:
            path = f"SET search_path = {','.join(map(quote_schema_name, self._search_path))}"
            self._log.insert(0, path)
            sql = f"{path};\n{sql}"
        self._sql = sql
        self._left = len(statements)
        self._failed = False
        self._retried = not aside  # only an aside batch is sent again (see _send_again)
        self._fresh = True  # no result read yet
        self._started = monotonic()
        try:
            self._conn.pgconn.send_query(sql.encode(self._encoding))
        except psycopg.OperationalError:
            if not self._send_again():
                raise

    def _send_again(self) -> bool:
        """Once, an aside batch on a fresh second connection, when the server ended the idle
        one (a restart, an idle timeout): psycopg learns that only by using it. Safe: the aside
        batch is read-only and runs outside any transaction block."""
        if self._retried or not self._fresh:
            return False
        self._retried = True
        aside_close()
        self._conn = _aside_connection()
        self._conn.pgconn.send_query(self._sql.encode(self._encoding))
        return True

    def _result(self, wanted: ExecStatus) -> Any:
        result = self._conn.pgconn.get_result()
        if result is not None and result.status != wanted and self._ended(result):
            while self._conn.pgconn.get_result() is not None:
                pass
            if self._send_again():
                result = self._conn.pgconn.get_result()
        if result is None or result.status != wanted:
            self._failed = True
            self.close()
            if result is None:
                raise RuntimeError("no more statements were sent")
            with connection.wrap_database_errors:  # Django's exception classes, as for a cursor
                raise error_from_result(result, encoding=self._encoding)
        self._fresh = False
        return result

    def _ended(self, result: Any) -> bool:
        """Whether the server ended this session (admin shutdown, class 08 connection errors)."""
        state = result.error_field(DiagnosticField.SQLSTATE) or b""
        return (self._conn.pgconn.status == ConnStatus.BAD or state.startswith(b"08")
                or state in (b"57P01", b"57P02", b"57P03"))

    def rows(self) -> list[tuple]:
        """The next statement's rows (waits until Postgres has finished it)."""
        if self._left <= 0:
            raise RuntimeError("no more statements were sent")
        if self._search_path is not None:
            self._result(ExecStatus.COMMAND_OK)
            if not self._aside:
                connection.search_path_set_schemas = self._search_path
            self._search_path = None
        result = self._result(ExecStatus.TUPLES_OK)
        self._left -= 1
        if not self._left:
            self.close()
        loader = Transformer(self._conn)
        loader.set_pgresult(result)
        return loader.load_rows(0, result.ntuples, tuple)

    def close(self) -> None:
        """Read whatever is left, so the connection is free again (idempotent)."""
        if self._left < 0:
            return
        while (result := self._conn.pgconn.get_result()) is not None:
            self._failed |= result.status == ExecStatus.FATAL_ERROR
        self._left = -1
        if self._failed and self._aside:
            aside_close()  # a fresh one next time
        elif self._failed:  # a failed batch's transaction took its SET with it
            connection.search_path_set_schemas = None
        if connection.queries_logged:  # what CaptureQueriesContext / DEBUG would have seen
            elapsed = f"{monotonic() - self._started:.3f}"
            connection.queries_log.extend({"sql": sql, "time": elapsed} for sql in self._log)
