"""Statements pipelined on Django's own connection — the one place that depends on the database
driver's internals (psycopg 3: libpq's asynchronous send, the result loader).

Used by the runway's input loader (apps/runway/selectors/pending.py): ten input statements in one
round trip, and the slowest (paid-invoice habits) left running while Python builds the others.
Its benchmark is tests/bench/bench_runway.py (cold `runway_compute` against one hand-written SQL
query; the query counts of a small and a large business must be equal). A driver upgrade that
changes these internals breaks only this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from time import monotonic
from typing import Any

from django.db import connection
from psycopg import ClientCursor
from psycopg.adapt import Transformer
from psycopg.errors import error_from_result
from psycopg.pq import ExecStatus


class PendingStatements:
    """Statements sent to Postgres in one go without waiting (libpq's asynchronous send on
    Django's own connection: same session, schema and transaction). Postgres runs them in order
    and hands each result over as soon as it is done, so Python builds the inputs of the first
    ones while the last ones still run. Nothing else may use the connection until the last
    result is read (`rows()` as many times as there are statements) or `close()` is called."""

    def __init__(self, statements: Sequence[str], params: dict[str, Any]) -> None:
        connection.ensure_connection()
        self._conn = connection.connection
        sql = ";\n".join(stmt.strip() for stmt in statements)
        with ClientCursor(self._conn) as binder:
            self._sql = binder.mogrify(sql, params)
        self._left = len(statements)
        self._started = monotonic()
        self._conn.pgconn.send_query(self._sql.encode(self._conn.info.encoding))

    def rows(self) -> list[tuple]:
        """The next statement's rows (waits until Postgres has finished it)."""
        result = self._conn.pgconn.get_result() if self._left else None
        if result is None or result.status != ExecStatus.TUPLES_OK:
            self.close()
            if result is None:
                raise RuntimeError("no more statements were sent")
            with connection.wrap_database_errors:  # Django's exception classes, as for a cursor
                raise error_from_result(result, encoding=self._conn.info.encoding)
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
        while self._conn.pgconn.get_result() is not None:
            pass
        self._left = -1
        if connection.queries_logged:  # what CaptureQueriesContext / DEBUG would have seen
            connection.queries_log.append(
                {"sql": self._sql, "time": f"{monotonic() - self._started:.3f}"})
