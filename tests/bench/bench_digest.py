"""Digests of 1,000 distinct businesses, dispatched by beat's tick through real Celery worker
processes and delivered over SMTP to a local sink, in ≤ 5 min on 2 cores (DESIGN §8).

Fleet: N businesses (quick: 20), each its own schema with realistic books and an owner
(tests/bench/digest_fleet.py), in a database of their own that later runs reuse; the time to
build what was missing is reported apart (0 when reused). Before each run every fleet
business's digest runs are deleted, so all N are due.

Run: an SMTP sink (aiosmtpd, its own process, tests/bench/smtp_sink.py), one Celery worker
(`--pool prefork -c WORKER_PROCESSES`, its own queue), Django's SMTP email backend pointed at
the sink. The clock starts when beat's `digest-dispatch` task is sent (from another process,
as beat sends it); the worker runs the dispatcher, which enqueues one `digest.send` per due
business; the clock stops when the sink has received the last of the N emails. Per digest:
`started_at` → `sent_at` of its DigestRun (build, HTML/text/PDF render, SMTP send).
Verdict: the median total of RUNS runs (`OODALOO_BENCH_DIGEST_RUNS`, default 5; quick 2) ≤ 5 min,
and in every run every business exactly one email, every DigestRun `sent`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests.bench.harness import ROOT, Result, Spread, bench_database_name, bench_database_url, p95

WORKER_PROCESSES = 2
TARGET_SECONDS = 300
WAIT_SECONDS = TARGET_SECONDS + 60  # then the run is cut and fails with the count it reached


def fleet_database_name(quick: bool) -> str:
    """The fleet's database, kept between runs (quick mode has a small one of its own)."""
    return f"{bench_database_name()}_digests{'_quick' if quick else ''}"


def fleet_env(db_url: str, queue: str, smtp_port: int | None = None) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": db_url, "BENCH_QUEUE": queue,
           "DJANGO_SETTINGS_MODULE": "oodaloo.settings.bench",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    if smtp_port is not None:
        env |= {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port)}
    return env


def fleet_run(env: dict, *args: str) -> dict:
    import json

    out = subprocess.run([sys.executable, "-m", "tests.bench.digest_fleet", *args], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=3600)
    line = next((x for x in out.stdout.splitlines() if x.startswith("FLEET ")), None)
    if out.returncode or line is None:
        raise RuntimeError(f"digest fleet {args} failed: {out.stderr[-3000:]}")
    return json.loads(line.removeprefix("FLEET "))


def fleet_worker(env: dict, log: Path, queue: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.bench.bench_celery", "worker", "-Q", queue,
         "--pool", "prefork", "-c", str(WORKER_PROCESSES), "-n", f"bench-{queue}@%h",
         "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    return proc


def worker_stop(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _runs(db_url: str) -> list[tuple]:
    """(state, started_at, sent_at, render_ms) of every fleet business's digest runs."""
    import psycopg

    rows = []
    with psycopg.connect(db_url) as conn:
        schemas = [r[0] for r in conn.execute(
            "SELECT schema_name FROM tenancy_business WHERE slug LIKE 'fleet-%'")]
        for schema in schemas:
            rows += conn.execute(f'SELECT state, started_at, sent_at, render_ms '
                                 f'FROM "{schema}"."digest_digestrun"').fetchall()
    return rows


def queue_drain(env: dict, queue: str) -> None:
    """Remove the run's queue from Redis (a crashed run must not leave tasks behind)."""
    import redis
    from django.conf import settings

    from apps.core.redis_urls import redis_py_url

    redis.Redis.from_url(redis_py_url(settings.CELERY_BROKER_URL)).delete(queue)


def _one_run(db_url: str, fleet_n: int, quick: bool) -> dict:
    """One run: every fleet digest due again, beat's tick sent, the sink's mail counted."""
    queue = f"bench-digest-{uuid.uuid4().hex[:8]}"
    fleet_run(fleet_env(db_url, queue), "reset")
    from tests.bench.smtp_sink import SmtpSink

    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        sink = SmtpSink(Path(tmp) / "smtp.log")
        env = fleet_env(db_url, queue, sink.port)
        worker = fleet_worker(env, Path(tmp) / "worker.log", queue)
        try:
            time.sleep(3)  # the worker connects to the broker; tasks wait in Redis anyway
            started = time.time()
            subprocess.run([sys.executable, "-m", "tests.bench.bench_celery", "dispatch"],
                           cwd=ROOT, env=env, check=True, timeout=120, capture_output=True)
            # Waits at most a minute past the target; a run cut there fails with its count.
            deadline = time.monotonic() + (120 if quick else WAIT_SECONDS)
            while time.monotonic() < deadline:
                got = [r for r in sink.received() if r[1].startswith("digest:fleet_")]
                if len(got) >= fleet_n:
                    break
                if worker.poll() is not None:
                    raise RuntimeError(f"worker exited: {(Path(tmp) / 'worker.log').read_text()}")
                time.sleep(0.5)
            waited = time.time() - started
            time.sleep(1)  # a duplicate would arrive right behind
            received = [r for r in sink.received() if r[1].startswith("digest:fleet_")]
        finally:
            worker_stop(worker)
            sink.stop()
            queue_drain(env, queue)
    runs = _runs(db_url)
    keys = [":".join(key.split(":")[:2]) for _, key in received]  # digest:<schema>
    states: dict[str, int] = {}
    for r in runs:
        states[r[0]] = states.get(r[0], 0) + 1
    sent = [r for r in runs if r[0] == "sent"]
    return {
        # Complete: the last email's arrival. Cut short: the time waited (the target was missed).
        "total": (max(at for at, _ in received) - started) if len(set(keys)) >= fleet_n
        else waited,
        "emails": len(received), "distinct": len(set(keys)),
        "duplicates": len(keys) - len(set(keys)), "states": states,
        "per": [(r[2] - r[1]).total_seconds() for r in sent if r[1] and r[2]],
        "render": [r[3] for r in sent if r[3] is not None],
    }


def run(quick: bool) -> list[Result]:
    n = 20 if quick else 1000
    runs = int(os.environ.get("OODALOO_BENCH_DIGEST_RUNS") or (2 if quick else 5))
    db_url = bench_database_url(fleet_database_name(quick))
    setup = fleet_run(fleet_env(db_url, "bench-digest-setup"), "setup", str(n),
                      "4" if quick else "20")
    fleet_n = setup["businesses"]
    rounds = [_one_run(db_url, fleet_n, quick) for _ in range(runs)]
    total = Spread.of([r["total"] for r in rounds], 1)
    per = [x for r in rounds for x in r["per"]]
    render = [x for r in rounds for x in r["render"]]
    ok = all(r["distinct"] == fleet_n and r["duplicates"] == 0
             and r["states"].get("sent", 0) == fleet_n for r in rounds)
    per_s = Spread.of(per, 3) if per else Spread(0, 0, 0, 0)
    reference = Spread.of([statistics.median(r["per"]) * fleet_n / WORKER_PROCESSES
                           for r in rounds if r["per"]] or [0], 1)
    notes = (
        f"{fleet_n:,} businesses, each its own schema (demo books, {setup['seeds']} seeds at "
        f"--scale {setup['scale']} --years {setup['years']}, the rest copies of them), one "
        f"Celery worker ({WORKER_PROCESSES} prefork processes), beat's digest-dispatch sent "
        f"once per run, every digest due again before it; SMTP to an aiosmtpd sink process. "
        f"{runs} runs: "
        + "; ".join(f"{r['total']:.1f} s, {r['distinct']:,}/{fleet_n:,} emails "
                    f"({r['duplicates']} duplicates), runs "
                    + ", ".join(f"{k} {v:,}" for k, v in sorted(r["states"].items()))
                    for r in rounds)
        + (f" (a run stops waiting at {WAIT_SECONDS} s)" if not ok else "")
        + f". Per digest (DigestRun started → sent, all runs): p50 {per_s.median * 1000:.0f} "
        f"ms, p95 {(p95(per) if per else 0) * 1000:.0f} ms, max {per_s.high * 1000:.0f} ms; "
        f"render (HTML+text+PDF) median {Spread.of(render, 0).median if render else 0:.0f} ms."
        f" Not timed: fleet setup {setup['built']:,} businesses built in "
        f"{setup['seconds']:.0f} s "
        f"({'reused from an earlier run' if not setup['built'] else 'cached for later runs'})."
    )
    return [
        Result(
            name=f"Digests: {fleet_n:,} businesses, beat tick → Celery worker → SMTP sink, "
                 "total time",
            unit="s", target=f"≤ {TARGET_SECONDS} s, each business exactly one email",
            passed=ok and total.median <= TARGET_SECONDS, **total.fields(),
            reference="per-digest p50 × N / worker processes (same runs)",
            **reference.reference(),
            ratio=round(total.median / reference.median, 2) if reference.median else None,
            notes=notes,
            extra={"setup": setup, "rounds": [
                {k: v for k, v in r.items() if k not in ("per", "render")} for r in rounds],
                "per_digest_ms_p50": round(per_s.median * 1000),
                "per_digest_ms_p95": round((p95(per) if per else 0) * 1000)},
        ),
        Result(
            name="Digests: per-digest time (DigestRun started → sent), p95",
            figure=round((p95(per) if per else 0) * 1000), unit="ms", target="no target",
            passed=None, reference="p50", reference_figure=round(per_s.median * 1000),
            notes=f"min {per_s.low * 1000:.0f} ms, max {per_s.high * 1000:.0f} ms over "
                  f"{len(per):,} digests ({runs} runs).",
        ),
    ]
