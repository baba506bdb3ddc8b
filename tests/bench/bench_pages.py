"""Portal pages under load: p95 ≤ 100 ms with 20 requests always in flight and saturation
throughput ≥ 200 pages/s on 2 cores; query count per page constant (DESIGN §8).

Data: the demo agency (apps/demo/generator) at `--scale 10 --years 5` (quick: `--scale 1
--years 2`), stored through the QBO sync's own ingest — the same businesses bench_runway builds
(`bench_business`, shared by slug, so a full `make bench` generates them once).

Server: gunicorn (settings oodaloo.settings.bench, DEBUG off; worker model in WORKER_ARGS) on
a listening socket bound to 127.0.0.1:0 and handed over as a file descriptor (no port race),
Host `<slug>.localhost`, an owner's session cookie. Warmed first (imports, connections, the
runway result and the pages' cached fragments: what a page costs once someone has seen it).

Load: `wrk` (tests/bench/http_load.py), a closed loop of 20 connections, no think time.
Per repeat: each page alone (its own p95), the four pages rotated (the saturation throughput:
pages/s with 20 always in flight) and the reference `/health` alone (database, Redis and
broker pings, answered by the first middleware — before tenant resolution, session and sign-in,
apps/core/middleware.py — so it is the floor of any request: HTTP, gunicorn, WSGI and three
round trips). Per-request CPU is what to judge on a shared machine: see docs/scaling.md
"Per-request cost" for where a page's CPU goes and what removed it. Figures are medians over
the repeats with min and max. The Python closed loop runs once more as a cross-check (same 20
in flight).

Query counts: Django's test client in this process with CaptureQueriesContext, per page, on the
small and the large business, cold (fragment cache empty: what the first view after a change
costs) and warm (cached fragment) — each must be equal between the sizes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.bench.harness import ROOT, Result, Spread
from tests.bench.http_load import python_run, wrk_available, wrk_run

PAGES = ["/", "/tray/", "/bills/", "/invoices/"]
EXTRA_PAGES = ["/invoices/?tab=all", "/bills/?status=new&due=14"]  # query counts only
REFERENCE = "/health"
IN_FLIGHT = 20
TARGET_P95_MS = 100.0
TARGET_RPS = 200.0
# Sync workers, one more than the cores: a worker waiting on Postgres/Redis leaves its core to
# another. Measured here against 2 and 4 sync workers and gthread (2 × 4 threads): see the notes.
WORKER_ARGS = ["--workers", "3", "--worker-class", "sync"]
OWNER_EMAIL = "owner@pages.bench"


# --- the businesses ------------------------------------------------------------------------


def _sizes(quick: bool) -> tuple[tuple[float, float], tuple[float, float]]:
    """(small, large) (scale, years): the same pairs as bench_runway, so the books are shared."""
    return ((0.4, 1), (1, 2)) if quick else ((1, 2), (10, 5))


def _owner(business):
    from apps.accounts.models import Membership, Role, User

    user = User.objects.filter(email=OWNER_EMAIL).first() or User.objects.create_user(
        OWNER_EMAIL, "correct-horse-battery"
    )
    Membership.objects.get_or_create(user=user, business=business, defaults={"role": Role.OWNER})
    return user


def _session_cookie(user) -> str:
    """A signed-in session as login() would store it (cached_db: the row is the truth)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _host(business) -> str:
    return f"{business.slug}.localhost"


# --- query counts (in process, Django's test client) ----------------------------------------


def query_counts(business, user, urls: list[str]) -> dict[str, dict[str, int]]:
    """Queries per page (search-path switches not counted): cold (the business's pages version
    bumped first, so every fragment misses) and warm (the fragment cached)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.core.services.data_version import pages_changed

    client = Client(HTTP_HOST=_host(business))
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    counts: dict[str, dict[str, int]] = {"cold": {}, "warm": {}}
    for url in urls:
        assert client.get(url).status_code == 200, url  # warms the runway result
        # One cold render first: per-process caches (content types, prepared row statements)
        # fill on the first miss in this process, once, whatever the business — not per view.
        pages_changed(business)
        assert client.get(url).status_code == 200, url
        pages_changed(business)
        connection.set_schema_to_public()
        for state in ("cold", "warm"):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            # `SET search_path` switches are connection bookkeeping whose number depends on what
            # ran before on the connection (cache hits switch schema contexts): not counted.
            counts[state][url] = sum(not q["sql"].startswith("SET search_path")
                                     for q in ctx.captured_queries)
            connection.set_schema_to_public()
    return counts


def tray_generate_cost(business) -> tuple[float, int]:
    """Seconds and queries of one tray_generate (the sync finaliser), runway cache warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.tray.services import tray_generate

    # Warm, twice: the first call in a process may read a slimmed cached runway result and
    # load its inputs again (4 queries more); from the second on the count is stable.
    tray_generate(business)
    tray_generate(business)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        tray_generate(business)
    seconds = time.perf_counter() - started
    connection.set_schema_to_public()
    return seconds, len(ctx.captured_queries)


# --- the server ------------------------------------------------------------------------------


class Server:
    """gunicorn on an already-listening 127.0.0.1:0 socket (passed as fd://)."""

    def __init__(self, worker_args: list[str] = WORKER_ARGS):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        fd = self.sock.fileno()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oodaloo.settings.bench"}
        self.log = open(ROOT / ".data" / "bench_pages_gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "oodaloo.wsgi:application",
             "--bind", f"fd://{fd}", *worker_args,
             "--backlog", "256", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=env, pass_fds=(fd,), stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, host: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see its log")
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{self.port}{REFERENCE}",
                                             headers={"Host": host})
                with urllib.request.urlopen(req, timeout=5) as resp:
                    if resp.status == 200:
                        return
            except urllib.error.HTTPError as exc:  # it answers, but is unwell: say why
                raise RuntimeError(f"{REFERENCE} answered {exc.code}: {exc.read()[:300]!r}")
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def cpu_seconds(self) -> float:
        """CPU used so far by gunicorn (master and workers) and the Postgres backends of the
        bench database: a figure that other jobs on a shared machine inflate far less than
        latency (they take cores away; they do not add work to our requests)."""
        pids = [self.proc.pid] + [
            int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
            .read_text().split()
        ]
        return sum(_cpu(pid) for pid in pids + _postgres_backends())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()
        self.log.close()


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone, or not ours to read
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()")
        return [row[0] for row in cur.fetchall()]


def warm(port: int, host: str, cookie: str) -> None:
    """Every worker imports, connects and reads (or fills) the caches before measuring."""
    stats = wrk_run(port, host, cookie, [*PAGES, REFERENCE], 2, IN_FLIGHT)
    if stats["errors"]:
        raise RuntimeError(f"{stats['errors']} non-200 answers or socket errors while warming")


def _cpu_spread(rows: list[dict]) -> Spread:
    """CPU ms per request over the runs that completed requests (a run with none has none)."""
    values = [r["cpu_ms"] for r in rows if r["cpu_ms"] is not None]
    return Spread.of(values, 2) if values else Spread(float("nan"), float("nan"), float("nan"), 0)


def loaded(server: Server, host: str, cookie: str, paths: list[str], seconds: float) -> dict:
    """One wrk run, plus the server-side CPU it cost per request (ms)."""
    before = server.cpu_seconds()
    stats = wrk_run(server.port, host, cookie, paths, seconds, IN_FLIGHT)
    used = server.cpu_seconds() - before
    stats["cpu_ms"] = round(1000 * used / stats["requests"], 2) if stats["requests"] else None
    return stats


def measure(server: Server, host: str, cookie: str, seconds: float, repeats: int) -> dict:
    """`repeats` rounds of: each page alone, the pages rotated, /health alone (wrk)."""
    rounds = []
    for _ in range(repeats):
        one = {url: loaded(server, host, cookie, [url], seconds) for url in PAGES}
        one["mixed"] = loaded(server, host, cookie, PAGES, seconds * 2)
        one[REFERENCE] = loaded(server, host, cookie, [REFERENCE], seconds)
        rounds.append(one)
    return {key: [r[key] for r in rounds] for key in rounds[0]}


# --- run ---------------------------------------------------------------------------------------


def _prepare(scale: float, years: float):
    from tests.bench.bench_runway import bench_business

    business = bench_business(f"runway-s{int(scale * 10)}y{years}", scale, years)
    return business, _owner(business)


def _record_counts(business) -> dict[str, int]:
    from django_tenants.utils import tenant_context

    from apps.ap.models import Bill
    from apps.ar.models import Invoice
    from apps.tray.models import TrayItem

    with tenant_context(business):
        return {"invoices": Invoice.objects.count(), "bills": Bill.objects.count(),
                "tray_items": TrayItem.objects.count()}


ALTERNATIVES = {  # worker models tried against WORKER_ARGS (one mixed run each)
    "2 sync": ["--workers", "2", "--worker-class", "sync"],
    "4 sync": ["--workers", "4", "--worker-class", "sync"],
    "gthread 2×4": ["--workers", "2", "--worker-class", "gthread", "--threads", "4"],
}


def _serve(host: str, cookie: str, worker_args: list[str], body, env: dict | None = None):
    saved = dict(os.environ)
    os.environ.update(env or {})
    server = Server(worker_args)
    os.environ.clear()
    os.environ.update(saved)
    try:
        server.wait_ready(host)
        warm(server.port, host, cookie)
        return body(server)
    finally:
        server.stop()


def _side_runs(host: str, cookie: str, seconds: float) -> dict:
    """What the choices bought: other worker models, and the pages without fragment cache."""
    mixed = lambda server: loaded(server, host, cookie, PAGES, seconds)  # noqa: E731
    out = {name: _serve(host, cookie, args, mixed) for name, args in ALTERNATIVES.items()}
    out["no fragment cache"] = _serve(host, cookie, WORKER_ARGS, mixed,
                                      {"OODALOO_PAGE_CACHE": "off"})
    return out


def run(quick: bool) -> list[Result]:
    if not wrk_available():
        raise RuntimeError("wrk is not installed (Debian package `wrk`): it drives the load")
    (s_scale, s_years), (scale, years) = _sizes(quick)
    seconds, repeats = (2, 3) if quick else (3, 5)
    small, small_owner = _prepare(s_scale, s_years)
    large, owner = _prepare(scale, years)
    urls = [*PAGES, *EXTRA_PAGES]
    small_counts = query_counts(small, small_owner, urls)
    large_counts = query_counts(large, owner, urls)
    tray_small = tray_generate_cost(small)
    tray_large = tray_generate_cost(large)
    rows = _record_counts(large)

    host, cookie = _host(large), _session_cookie(owner)
    (ROOT / ".data").mkdir(exist_ok=True)
    load_before = os.getloadavg()[0]

    def main_runs(server):
        return measure(server, host, cookie, seconds, repeats), python_run(
            server.port, host, cookie, PAGES, seconds * 2, IN_FLIGHT)

    runs, python = _serve(host, cookie, WORKER_ARGS, main_runs)
    load_after = os.getloadavg()[0]
    side = {} if quick else _side_runs(host, cookie, seconds * 2)

    page_p95 = {u: Spread.of([r["p95"] for r in runs[u]], 1) for u in [*PAGES, REFERENCE]}
    worst_url = max(PAGES, key=lambda u: page_p95[u].median)
    worst = page_p95[worst_url]
    rps = Spread.of([r["rps"] for r in runs["mixed"]], 1)
    ref_rps = Spread.of([r["rps"] for r in runs[REFERENCE]], 1)
    mixed_p95 = Spread.of([r["p95"] for r in runs["mixed"]], 1)
    cpu = _cpu_spread(runs["mixed"])
    errors = sum(r["errors"] for key in runs for r in runs[key])
    same = small_counts == large_counts
    per_page = "; ".join(
        f"{u} p95 {page_p95[u].median} ms ({page_p95[u].low}–{page_p95[u].high}), p50 "
        f"{Spread.of([r['p50'] for r in runs[u]], 1).median} ms, "
        f"{Spread.of([r['rps'] for r in runs[u]], 1).median} req/s, "
        f"{_cpu_spread(runs[u]).median} ms server CPU, queries cold/warm "
        f"{large_counts['cold'][u]}/{large_counts['warm'][u]}" for u in PAGES)
    counts = ", ".join(f"{u} {small_counts['cold'][u]}/{large_counts['cold'][u]} cold, "
                       f"{small_counts['warm'][u]}/{large_counts['warm'][u]} warm" for u in urls)
    py = python["_all"]
    sides = "; ".join(f"{name}: {r['rps']} pages/s, p95 {r['p95']} ms, {r['cpu_ms']} ms CPU"
                      for name, r in side.items())
    notes = (
        f"Demo agency --scale {scale} --years {years} ({rows['invoices']:,} invoices, "
        f"{rows['bills']:,} bills, {rows['tray_items']:,} tray items) behind gunicorn "
        f"({' '.join(WORKER_ARGS)}, DEBUG off) on loopback. Load: wrk, {IN_FLIGHT} connections "
        f"in a closed loop (no think time), {repeats} rounds of each page alone {seconds} s, "
        f"the four pages rotated {seconds * 2} s and {REFERENCE} alone {seconds} s; "
        f"{errors} errors or non-200 answers. {per_page}. Pages rotated: p95 "
        f"{mixed_p95.median} ms ({mixed_p95.low}–{mixed_p95.high}), server CPU (gunicorn + its "
        f"Postgres backends) {cpu.median} ms per page ({cpu.low}–{cpu.high}), so 2 free cores "
        f"would serve at most ~{2000 / cpu.median if cpu.median else float('nan'):.0f} "
        f"pages/s. Reference {REFERENCE}: "
        f"p95 {page_p95[REFERENCE].median} ms, {ref_rps.median} req/s, "
        f"{_cpu_spread(runs[REFERENCE]).median} ms CPU. Cross-check, "
        f"Python closed loop ({IN_FLIGHT} threads, one run of {seconds * 2} s, pages rotated): "
        f"{py['rps']} pages/s, p95 {py['p95']} ms, {py['errors']} errors. "
        + (f"Other choices, one rotated run each: {sides}. " if sides else "")
        + f"Queries per page, `SET search_path` not counted (small --scale {s_scale} --years "
        f"{s_years} / this size): {counts} "
        f"({'equal' if same else 'DIFFERENT'}). 1-min load average {load_before:.1f} → "
        f"{load_after:.1f} on {os.cpu_count()} cores (the machine may be shared)."
    )
    extra = {"rounds": runs, "python_cross_check": python, "alternatives": side,
             "queries_small": small_counts, "queries_large": large_counts,
             "load_average": [load_before, load_after], "worker_args": WORKER_ARGS, **rows}
    return [
        Result(
            name=f"Portal pages, {IN_FLIGHT} requests in flight (wrk, closed loop), demo "
                 f"--scale {scale} --years {years}: worst page p95 ({worst_url})",
            unit="ms", target=f"p95 ≤ {TARGET_P95_MS:g} ms; queries constant",
            passed=worst.median <= TARGET_P95_MS and same and errors == 0,
            reference=f"{REFERENCE} p95 (same server and load)", **page_p95[REFERENCE].reference(),
            ratio=round(worst.median / page_p95[REFERENCE].median, 2)
            if page_p95[REFERENCE].median else None, notes=notes, extra=extra, **worst.fields(),
        ),
        Result(
            name=f"Portal pages, saturation throughput (4 pages rotated, {IN_FLIGHT} in flight)",
            unit="pages/s", target=f"≥ {TARGET_RPS:g} pages/s", passed=rps.median >= TARGET_RPS,
            reference=f"{REFERENCE} req/s (same server)", **ref_rps.reference(),
            ratio=round(rps.median / ref_rps.median, 2) if ref_rps.median else None,
            notes=f"Python closed-loop cross-check: {py['rps']} pages/s.", **rps.fields(),
        ),
        Result(
            name=f"tray_generate (sync finaliser), demo --scale {scale} --years {years}",
            figure=round(tray_large[0], 3), unit="s", target="queries constant",
            passed=tray_small[1] == tray_large[1],
            reference=f"same at --scale {s_scale} --years {s_years}",
            reference_figure=round(tray_small[0], 3),
            ratio=round(tray_large[0] / tray_small[0], 2) if tray_small[0] else None,
            notes=f"{tray_small[1]} queries small, {tray_large[1]} here.",
        ),
    ]
