"""Statements pipelined on Django's own connection — the one place that depends on the database
driver's internals (psycopg 3: libpq's pipeline mode, the result loader) and on how
django-tenants sets a connection's search_path.

Used by the runway's input loader (apps/runway/selectors/pending.py): every input statement in
one pipeline, each result handed over as soon as Postgres has it, so Python builds the inputs of
the first statements (and computes burn and recurring series) while the next ones still run.
Its benchmark is tests/bench/bench_runway.py (cold `runway_compute` against one hand-written SQL
query; the query counts of a small and a large business must be equal). A driver upgrade that
changes these internals breaks only this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from time import monotonic
from typing import Any

from django.db import connection
from django_tenants.utils import get_limit_set_calls, quote_schema_name
from psycopg import ClientCursor
from psycopg.adapt import Transformer
from psycopg.errors import error_from_result
from psycopg.pq import ExecStatus


def _search_path_due() -> list[str] | None:
    """The schemas django-tenants would set on the next cursor (`_handle_search_path`), or None
    when the connection already has them."""
    if not hasattr(connection, "search_path_set_schemas"):
        return None  # not a django-tenants connection
    if get_limit_set_calls() and connection.search_path_set_schemas:
        return None
    return connection._get_cursor_search_paths()


class PendingStatements:
    """Statements sent to Postgres without waiting, in libpq's pipeline mode on Django's own
    connection (same session, schema and transaction). Each statement is followed by a flush
    request: Postgres runs them in order and sends each result as soon as it is done (in one
    multi-statement query it would hold small results back until the last one finished). More
    statements may be sent (`send`) after reading some results — e.g. once the rows they depend
    on are in — and still join the same pipeline. Nothing else may use the connection until
    every result is read (`rows()` once per statement sent) or `close()` is called."""

    def __init__(self, statements: Sequence[str], params: dict[str, Any]) -> None:
        connection.ensure_connection()
        self._conn = connection.connection
        self._pg = self._conn.pgconn
        self._encoding = self._conn.info.encoding
        self._binder = ClientCursor(self._conn)
        self._log: list[str] = []  # per statement batch: what the query log shows
        self._left = 0
        self._failed = False
        self._started = monotonic()
        self._pg.enter_pipeline_mode()
        # django-tenants' `SET search_path`, when due, leads the pipeline (a cursor would send
        # it in a round trip of its own); its result is read before the first rows.
        self._search_path = _search_path_due()
        if self._search_path is not None:
            sql = f"SET search_path = {','.join(map(quote_schema_name, self._search_path))}"
            self._send(sql)
            self._log.append(sql)
            self._pg.flush()
        self.send(statements, params)

    def _send(self, sql: str) -> None:
        self._pg.send_query_params(sql.encode(self._encoding), None)
        self._pg.send_flush_request()

    def send(self, statements: Sequence[str], params: dict[str, Any]) -> None:
        """Queue more statements behind those already sent (before every result is read)."""
        if self._left < 0:
            raise RuntimeError("the pipeline is closed")
        batch = []
        for n, stmt in enumerate(statements):
            sql = self._binder.mogrify(stmt.strip(), params)
            self._send(sql)
            if not n:
                self._pg.flush()  # Postgres starts on it while the others are bound
            batch.append(sql)
        self._pg.flush()
        self._left += len(batch)
        self._log.append(";\n".join(batch))

    def _result(self, wanted: ExecStatus) -> Any:
        """The current statement's result (the statement's end consumed); raises its error."""
        result = self._pg.get_result()
        if result is None or result.status != wanted:
            self._failed = True
            self.close()
            if result is None:  # the connection broke
                raise RuntimeError(f"no result: {self._pg.get_error_message()}")
            with connection.wrap_database_errors:  # Django's exception classes, as for a cursor
                raise error_from_result(result, encoding=self._encoding)
        self._pg.get_result()  # None: the end of this statement's results
        return result

    def rows(self) -> list[tuple]:
        """The next statement's rows (waits until Postgres has finished it)."""
        if self._left <= 0:
            raise RuntimeError("no more statements were sent")
        if self._search_path is not None:
            self._result(ExecStatus.COMMAND_OK)
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
        """Read whatever is left and leave pipeline mode, so the connection is free again
        (idempotent)."""
        if self._left < 0:
            return
        unread = self._left + (self._search_path is not None)
        self._left = -1
        try:
            self._pg.pipeline_sync()
            self._pg.flush()
            # Each unread statement ends with a None; the sync point's own result comes last.
            # Bounded: a broken connection returns None forever.
            for _ in range(2 * unread + 2):
                result = self._pg.get_result()
                if result is None:
                    continue
                if result.status == ExecStatus.PIPELINE_SYNC:
                    break
                if result.status in (ExecStatus.FATAL_ERROR, ExecStatus.PIPELINE_ABORTED):
                    self._failed = True
        finally:
            self._binder.close()
            self._pg.exit_pipeline_mode()
            if self._failed:  # the failed statements' transaction took the SET with it
                connection.search_path_set_schemas = None
            if connection.queries_logged:  # what CaptureQueriesContext / DEBUG would have seen
                elapsed = f"{monotonic() - self._started:.3f}"
                connection.queries_log.extend({"sql": sql, "time": elapsed} for sql in self._log)
