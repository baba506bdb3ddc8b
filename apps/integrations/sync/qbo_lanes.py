"""A full sync's other lanes: entity types read by forked processes while this one reads the
rest, so a large company's first sync uses every core (one Python process is bound by its GIL:
fetch, JSON, parse and row building all need it).

Which types go to which lane is decided in qbo_pages (``LANES``): a lane's types name only
what is stored before the lanes start or earlier in the same lane. Each child stores its pages
in its own database session, page by page as the parent does (each page commits on its own),
and hands back what the run records: counts, quarantined rows, ids touched, requests made.

Why fork and not a Celery subtask: the run keeps one lock, one SyncRun and one ordering of its
phases in one place; a chord across workers would split them (and a worker waiting on a subtask
can starve its own pool). Forking is safe here because no other thread of ours runs at that
moment (the prefetch threads start and end inside each lane, and every child is forked before
the parent's lane starts), the child never touches the parent's database sessions (they are set
aside, not closed: closing would end the parent's session) and it leaves with ``os._exit``.

Only outside a transaction block: a child cannot see uncommitted rows (tests that wrap each
test in a transaction run every lane here, one after the other).
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import signal
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

# A parent's database sessions, kept referenced in a child so they are never finalised there.
_inherited: list[Any] = []


class LaneFailed(Exception):
    """A lane raised, or its process died before handing back its result."""


@dataclass
class LaneResult:
    counts: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    touched: dict[str, set[str]] = field(default_factory=dict)
    requests: int = 0


@dataclass
class CheckOnly:
    """The lock stand-in of the child's pages: the parent holds and extends the real lock;
    the child only checks, between pages, that the parent is still there."""

    check: Callable[[], None]

    def extend(self) -> None:
        self.check()


def lane_absorb(state: Any, client: Any, lane: LaneResult,
                report: Callable[[str, int], None]) -> None:
    """A lane's result into the run's state (``_RunState``) and the client's stats."""
    for entity, n in lane.counts.items():
        state.counts[entity] = state.counts.get(entity, 0) + n
        report(entity, n)
    state.quarantined += lane.quarantined
    for entity, ids in lane.touched.items():
        state.ctx.touch(entity, ids)
    client.stats.requests += lane.requests


def lanes_allowed() -> bool:
    return settings.QBO_SYNC_LANES and not any(
        c.in_atomic_block for c in connections.all(initialized_only=True))


def _take_over(wrappers: dict[str, Any]) -> None:
    """In the child: the parent's connection wrappers (its business's schema and all) become
    this thread's again — asgiref's Local may not hand them over across a fork (seen after
    browser tests had run in the same process) — and open new sessions on first use; the
    parent's sessions stay open (closing them here would end them for the parent)."""
    for alias, conn in wrappers.items():
        connections[alias] = conn
        if conn.connection is not None:
            _inherited.append(conn.connection)
        conn.connection = None
        conn.needs_rollback = False
        conn.run_on_commit = []
        if hasattr(conn, "search_path_set_schemas"):
            conn.search_path_set_schemas = None  # django-tenants: set it on the new session


def _child(work: Callable[[Callable[[], None]], LaneResult], out: int, parent: int,
           wrappers: dict[str, Any]) -> None:
    def parent_alive() -> None:
        if os.getppid() != parent:  # the parent died: stop, a later run redoes the work
            raise LaneFailed("the sync's parent process is gone")

    try:
        _take_over(wrappers)
        payload = pickle.dumps(("ok", work(parent_alive)))
        connections.close_all()  # the child's own sessions (the parent's were set aside)
    except BaseException as exc:  # noqa: BLE001 — handed to the parent, raised there
        payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}",
                                traceback.format_exc()))
    try:
        with os.fdopen(out, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(0)  # no atexit, no finalisers: nothing of the parent's is closed from here


@contextmanager
def other_lane(work: Callable[[Callable[[], None]], LaneResult], *,
                keep_alive: Callable[[], None]) -> Iterator[Callable[[], LaneResult]]:
    """Run ``work(check)`` in a forked process while the body runs here; the body calls the
    yielded ``join()`` for the child's LaneResult (``keep_alive`` is called every few seconds
    while it waits, e.g. to extend the sync lock). ``check()``, called by ``work`` between
    pages, stops the child if this process is gone. Leaving early kills the child."""
    wrappers = {conn.alias: conn for conn in connections.all(initialized_only=True)}
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(work, write_end, parent, wrappers)
    os.close(write_end)
    done = False

    def join() -> LaneResult:
        nonlocal done
        chunks = []
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                ready, _, _ = select.select([pipe], [], [], 5.0)
                if not ready:
                    keep_alive()
                    continue
                chunk = os.read(pipe.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
        done = True
        if not chunks:
            raise LaneFailed(f"a sync lane (pid {pid}) died: "
                             f"{_describe(status)}")
        outcome = pickle.loads(b"".join(chunks))
        if outcome[0] != "ok":
            log.error("sync lane (pid %s) failed:\n%s", pid, outcome[2])
            raise LaneFailed(f"sync lane: {outcome[1]}")
        result: LaneResult = outcome[1]
        log.info("sync lane (pid %s) stored %s", pid, result.counts)
        return result

    try:
        yield join
    finally:
        if not done:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            try:
                os.close(read_end)
            except OSError:
                pass  # join had opened (and closed) it


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
