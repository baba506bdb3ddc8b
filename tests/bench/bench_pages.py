"""Portal page latency: p95 ≤ 100 ms at 20 concurrent users; query count constant per page.

Data: the demo agency (apps/demo/generator) at `--scale 10 --years 5` (quick: `--scale 1
--years 2`), stored through the QBO sync's own ingest — the same businesses bench_runway builds
(`_business`, shared by slug, so a full `make bench` generates them once).

Server: gunicorn (sync workers, 3 of them on 2 cores, settings oodaloo.settings.bench, DEBUG
off) on a listening socket bound to 127.0.0.1:0 and handed over as a file descriptor (no port
race), Host `<slug>.localhost`, an owner's session cookie. The runway cache is warmed first.

Load: a separate process (`python -m tests.bench.bench_pages --load ...`, threads, one HTTP
connection per request as gunicorn's sync workers close it anyway): 20 users for 30 s (quick:
5 s), each picking one of `/`, `/tray/`, `/bills/`, `/invoices/` or the reference `/health`
at random, then thinking 1–3 s (THINK: a click every ~2 s per person, ~10 requests/s in all).
A second run without think time (20 requests always in flight) is reported as the saturation
figure (capacity), and the machine's load average is recorded (the box may be shared).
The reference is `/health` (database, Redis and broker pings plus the migration-plan check)
under the same server and load.

Query counts: Django's test client in this process with CaptureQueriesContext, per page, on the
small and the large business (must be equal).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from tests.bench.harness import ROOT, Result, median, p95

PAGES = ["/", "/tray/", "/bills/", "/invoices/"]
EXTRA_PAGES = ["/invoices/?tab=all", "/bills/?status=new&due=14"]  # query counts only
REFERENCE = "/health"
USERS = 20
THINK = (1.0, 3.0)  # seconds between a user's clicks (a person reads the page first)
WORKERS = 3
TARGET_P95_MS = 100.0
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


def query_counts(business, user, urls: list[str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=_host(business))
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    counts = {}
    for url in urls:
        assert client.get(url).status_code == 200, url  # warms the runway cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[url] = len(ctx.captured_queries)
    connection.set_schema_to_public()
    return counts


def tray_generate_cost(business) -> tuple[float, int]:
    """Seconds and queries of one tray_generate (the sync finaliser), runway cache warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.tray.services import tray_generate

    tray_generate(business)  # warm: the runway result is cached, items exist
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        tray_generate(business)
    seconds = time.perf_counter() - started
    connection.set_schema_to_public()
    return seconds, len(ctx.captured_queries)


# --- the server ------------------------------------------------------------------------------


class Server:
    """gunicorn on an already-listening 127.0.0.1:0 socket (passed as fd://)."""

    def __init__(self, workers: int = WORKERS):
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
             "--bind", f"fd://{fd}", "--workers", str(workers), "--worker-class", "sync",
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

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.sock.close()
        self.log.close()


def _get(port: int, host: str, cookie: str, url: str) -> tuple[int, float, int]:
    import http.client

    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", url, headers={"Host": host, "Cookie": cookie})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, time.perf_counter() - started, len(body)
    finally:
        conn.close()


def warm(port: int, host: str, cookie: str) -> None:
    """Every worker imports, connects and reads the runway cache before measuring."""
    for _ in range(WORKERS * 3):
        for url in [*PAGES, REFERENCE]:
            status, _, _ = _get(port, host, cookie, url)
            if status != 200:
                raise RuntimeError(f"{url} answered {status} while warming")


# --- the load generator (runs in its own process) ----------------------------------------------


def _load_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--think", type=float, nargs=2, default=THINK)
    args = parser.parse_args(argv)
    urls = [*PAGES, REFERENCE]
    samples: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds

    def user(n: int) -> None:
        rng = random.Random(n)
        time.sleep(rng.uniform(0, max(args.think[1], 0.05)))  # don't start in lockstep
        while time.monotonic() < stop_at:
            url = rng.choice(urls)
            try:
                status, seconds, _ = _get(args.port, args.host, args.cookie, url)
            except OSError:
                status, seconds = 0, 30.0
            with lock:
                samples.append((url, status, seconds))
            if args.think[1] > 0:
                time.sleep(rng.uniform(*args.think))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump({"elapsed": time.monotonic() - started, "samples": samples}, sys.stdout)


def load(port: int, host: str, cookie: str, seconds: float, think: tuple[float, float]) -> dict:
    """Run the load generator as a separate process; per-URL latency stats (ms)."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_pages", "--load", "--port", str(port),
         "--host", host, "--cookie", cookie, "--users", str(USERS), "--seconds", str(seconds),
         "--think", str(think[0]), str(think[1])],
        cwd=ROOT, capture_output=True, text=True, timeout=seconds + 120, check=True,
    )
    data = json.loads(out.stdout)
    stats: dict[str, dict] = {}
    for url in [*PAGES, REFERENCE]:
        times = [s * 1000 for u, status, s in data["samples"] if u == url and status == 200]
        errors = sum(1 for u, status, _ in data["samples"] if u == url and status != 200)
        stats[url] = {
            "n": len(times), "errors": errors,
            "p50": round(median(times), 1) if times else None,
            "p95": round(p95(times), 1) if times else None,
        }
    ok = [s for _, status, s in data["samples"] if status == 200]
    stats["_all"] = {"requests": len(data["samples"]), "rps": round(len(ok) / data["elapsed"], 1)}
    return stats


# --- run ---------------------------------------------------------------------------------------


def _prepare(scale: float, years: float):
    from tests.bench.bench_runway import _business

    business = _business(f"runway-s{int(scale * 10)}y{years}", scale, years)
    return business, _owner(business)


def _record_counts(business) -> dict[str, int]:
    from django_tenants.utils import tenant_context

    from apps.ap.models import Bill
    from apps.ar.models import Invoice
    from apps.tray.models import TrayItem

    with tenant_context(business):
        return {"invoices": Invoice.objects.count(), "bills": Bill.objects.count(),
                "tray_items": TrayItem.objects.count()}


def run(quick: bool) -> list[Result]:
    (s_scale, s_years), (scale, years) = _sizes(quick)
    seconds = 5 if quick else 30
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
    server = Server()
    try:
        server.wait_ready(host)
        warm(server.port, host, cookie)
        load_before = os.getloadavg()[0]
        users = load(server.port, host, cookie, seconds, THINK)
        load_after = os.getloadavg()[0]
        saturated = load(server.port, host, cookie, max(3, seconds / 3), (0.0, 0.0))
    finally:
        server.stop()

    ref = users[REFERENCE]["p95"] or 0.0
    worst = max(users[u]["p95"] or float("inf") for u in PAGES)
    errors = sum(users[u]["errors"] for u in [*PAGES, REFERENCE])
    same_counts = small_counts == large_counts
    per_page = "; ".join(
        f"{u} p50 {users[u]['p50']} / p95 {users[u]['p95']} ms (n={users[u]['n']}, "
        f"{large_counts[u]} queries)" for u in PAGES
    )
    sat = "; ".join(f"{u} p95 {saturated[u]['p95']} ms" for u in [*PAGES, REFERENCE])
    counts = ", ".join(
        f"{u} {small_counts[u]}/{large_counts[u]}" for u in urls
    )
    notes = (
        f"Demo agency --scale {scale} --years {years} ({rows['invoices']:,} invoices, "
        f"{rows['bills']:,} bills, {rows['tray_items']:,} tray items) behind gunicorn "
        f"({WORKERS} sync workers, DEBUG off) on loopback; {USERS} users for {seconds} s from a "
        f"separate process, think time {THINK[0]:g}–{THINK[1]:g} s, {users['_all']['requests']} "
        f"requests ({users['_all']['rps']} req/s), {errors} errors, 1-min load average "
        f"{load_before:.1f} → {load_after:.1f} on {os.cpu_count()} cores. {per_page}. "
        f"Reference {REFERENCE}: "
        f"p50 {users[REFERENCE]['p50']} / p95 {ref} ms. Saturation ({USERS} requests always in "
        f"flight, no think time, {saturated['_all']['rps']} req/s): {sat}. Queries per page, "
        f"--scale {s_scale} --years {s_years} / this size: {counts} "
        f"({'equal' if same_counts else 'DIFFERENT'}). tray_generate (sync finaliser, runway "
        f"cached): {tray_small[0]:.3f} s / {tray_small[1]} queries small, {tray_large[0]:.3f} s "
        f"/ {tray_large[1]} queries here."
    )
    return [
        Result(
            name=f"Portal pages (dashboard, tray, bills, invoices), demo --scale {scale} "
                 f"--years {years}, {USERS} users: worst page p95",
            figure=worst, unit="ms", target=f"p95 ≤ {TARGET_P95_MS:g} ms; queries constant",
            passed=worst <= TARGET_P95_MS and same_counts and errors == 0,
            reference=f"{REFERENCE} p95 (same server and load)", reference_figure=ref,
            ratio=round(worst / ref, 2) if ref else None, notes=notes,
            extra={"pages": {u: users[u] for u in [*PAGES, REFERENCE]},
                   "saturated": saturated, "queries_small": small_counts,
                   "queries_large": large_counts, "tray_generate_small": tray_small,
                   "tray_generate_large": tray_large, "think_seconds": THINK,
                   "load_average": [load_before, load_after], **rows},
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


if __name__ == "__main__":
    if "--load" in sys.argv:
        _load_main(sys.argv[1:])
    else:
        sys.exit("usage: python -m tests.bench.run --only pages")
