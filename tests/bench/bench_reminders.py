"""The daily reminder tick for 1,000 businesses, dispatched by beat's tick through real Celery
worker processes and delivered over SMTP to a local sink: time until every due reminder has
arrived, each exactly once.

Fleet: N businesses (full 1,000 — `OODALOO_BENCH_REMINDER_BUSINESSES` overrides; quick 20),
each its own schema with demo books, built by the digest benchmark's fleet builder
(tests/bench/digest_fleet.py: pg_dump DDL copies of SEEDS seed schemas) in a database of its own
that later runs reuse (`<bench db>_reminders`, first copied from the digest fleet's database
when that exists); the time to build what was missing is reported
apart. Before each run (not timed) tests/bench/reminder_fleet.py makes every business due for a
known workload: C = 5 customers each with one invoice a day past due (the "1 day after" step),
the demo books' own customers set to "never remind", time zone where it is morning now.

Run: an SMTP sink (aiosmtpd, its own process), one Celery worker (`--pool prefork -c 2`, the
run's own queue), Django's SMTP backend pointed at the sink. The clock starts when beat's
`reminders-dispatch` task is sent; the worker's dispatcher visits every business and enqueues
one `reminders.tick` per due one; each tick plans, claims (`remind:{invoice}:{step}` keys) and
sends its C emails; the clock stops when the sink has received the last of the N × C emails.
Figure: median of RUNS runs (min–max); reference (same runs): the ticks' own durations (JobRun)
summed and divided by the worker processes, i.e. perfect parallel work with no dispatch or
queueing. Verdict: every run delivers N × C emails, each key exactly once, every business's tick
finished, and the median within 5 min per 1,000 businesses (the digest's §8 budget), scaled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.harness import ROOT, Result, Spread, bench_database_name, bench_database_url

WORKER_PROCESSES = 2
TARGET_PER_1000 = 300  # seconds


def fleet_database_name(quick: bool) -> str:
    return f"{bench_database_name()}_reminders{'_quick' if quick else ''}"


def fleet_copy_from_digests(quick: bool) -> bool:
    """Start the reminder fleet as a copy of the digest benchmark's (Postgres copies the files in
    seconds; building 1,000 schemas again takes tens of minutes). Only when the reminder fleet's
    database does not exist yet; the seeding before each run makes the workload its own."""
    import psycopg

    from tests.bench.bench_digest import fleet_database_name as digest_fleet
    from tests.bench.harness import admin_params

    target, source = fleet_database_name(quick), digest_fleet(quick)
    with psycopg.connect(**admin_params()) as conn:  # autocommit: CREATE DATABASE
        names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        if target in names or source not in names:
            return False
        try:
            conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        except psycopg.errors.ObjectInUse:  # someone is connected to the source: build instead
            return False
    return True


def _seed(env: dict, n: int, zone: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.bench.reminder_fleet", "seed", str(n),
                          zone], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    line = next((x for x in out.stdout.splitlines() if x.startswith("FLEET ")), None)
    if out.returncode or line is None:
        raise RuntimeError(f"reminder fleet seed failed: {out.stderr[-3000:]}")
    return json.loads(line.removeprefix("FLEET "))


def _ticks(db_url: str, since: datetime) -> tuple[list[int], int]:
    """The run's tick durations (ms, JobRun) and how many fleet businesses finished today's."""
    import psycopg

    with psycopg.connect(db_url) as conn:
        durations = [int(r[0]) for r in conn.execute(
            "SELECT EXTRACT(EPOCH FROM finished_at - started_at) * 1000 FROM core_jobrun "
            "WHERE name = 'reminders.tick' AND started_at >= %s AND finished_at IS NOT NULL",
            [since])]
        schemas = [r[0] for r in conn.execute(
            "SELECT schema_name FROM tenancy_business WHERE slug LIKE 'fleet-%'")]
        finished = 0
        for schema in schemas:
            finished += conn.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{schema}"."ar_remindertick" '
                "WHERE finished_at IS NOT NULL)").fetchone()[0]
    return durations, finished


def _one_run(db_url: str, n: int, expected: int, quick: bool) -> dict:
    from tests.bench.bench_digest import fleet_env, fleet_worker, queue_drain, worker_stop
    from tests.bench.smtp_sink import SmtpSink
    from tests.drills.drill_reminder_crash import morning_zone

    queue = f"bench-remind-{uuid.uuid4().hex[:8]}"
    seeded = _seed(fleet_env(db_url, queue), n, morning_zone(datetime.now(UTC)))
    target = TARGET_PER_1000 * n / 1000
    with tempfile.TemporaryDirectory(prefix="bench-remind-") as tmp:
        sink = SmtpSink(Path(tmp) / "smtp.log")
        env = fleet_env(db_url, queue, sink.port)
        worker = fleet_worker(env, Path(tmp) / "worker.log", queue)
        try:
            time.sleep(3)  # the worker connects; tasks would wait in Redis anyway
            since = datetime.now(UTC)
            started = time.time()
            subprocess.run([sys.executable, "-m", "tests.bench.bench_celery", "dispatch",
                            "reminders-dispatch"], cwd=ROOT, env=env, check=True, timeout=120,
                           capture_output=True)
            deadline = time.monotonic() + (180 if quick else target + 60)
            while time.monotonic() < deadline:
                got = [r for r in sink.received() if r[1].startswith("fleet_")]
                if len(got) >= expected:
                    break
                if worker.poll() is not None:
                    raise RuntimeError(f"worker exited: {(Path(tmp) / 'worker.log').read_text()}")
                time.sleep(0.5)
            waited = time.time() - started
            time.sleep(2)  # a duplicate would arrive right behind, and the ticks finish
            received = [r for r in sink.received() if r[1].startswith("fleet_")]
        finally:
            worker_stop(worker)
            sink.stop()
            queue_drain(env, queue)
    keys = [key for _, key in received]
    complete = len(set(keys)) >= expected
    durations, finished = _ticks(db_url, since)
    return {"total": (max(at for at, _ in received) - started) if complete else waited,
            "emails": len(keys), "distinct": len(set(keys)),
            "duplicates": len(keys) - len(set(keys)),
            "finished": finished, "serial_s": sum(durations) / 1000,
            "tick_ms": sorted(durations), "seed_s": seeded["seconds"]}


def run(quick: bool) -> list[Result]:
    from tests.bench.bench_digest import fleet_env, fleet_run
    from tests.bench.reminder_fleet import CUSTOMERS

    n = int(os.environ.get("OODALOO_BENCH_REMINDER_BUSINESSES") or (20 if quick else 1000))
    runs = int(os.environ.get("OODALOO_BENCH_REMINDER_RUNS") or (3 if quick else 5))
    db_url = bench_database_url(fleet_database_name(quick))
    copied = fleet_copy_from_digests(quick)
    setup = fleet_run(fleet_env(db_url, "bench-remind-setup"), "setup", str(n),
                      "4" if quick else "20")
    expected = n * CUSTOMERS
    target = TARGET_PER_1000 * n / 1000
    rounds = [_one_run(db_url, n, expected, quick) for _ in range(runs)]
    total = Spread.of([r["total"] for r in rounds], 1)
    reference = Spread.of([r["serial_s"] / WORKER_PROCESSES for r in rounds], 1)
    exact = all(r["distinct"] == expected and r["duplicates"] == 0 and r["finished"] == n
                for r in rounds)
    ticks = rounds[-1]["tick_ms"]
    notes = (
        f"{n:,} businesses, each its own schema (demo books, {setup['seeds']} seeds at --scale "
        f"{setup['scale']} --years {setup['years']}, the rest pg_dump-DDL copies — the digest "
        f"benchmark's fleet builder, in a database of its own), {CUSTOMERS} customers each due "
        f"one reminder; one Celery worker ({WORKER_PROCESSES} prefork processes), beat's "
        "reminders-dispatch sent once; SMTP to an aiosmtpd sink process. Per run: "
        + "; ".join(f"{r['emails']:,}/{expected:,} emails ({r['duplicates']} duplicates), "
                    f"{r['finished']:,}/{n:,} ticks finished, {r['total']:.1f} s"
                    for r in rounds)
        + f". Last run's ticks: median {ticks[len(ticks) // 2] if ticks else 0} ms, max "
        f"{ticks[-1] if ticks else 0} ms. Not timed: fleet build this run "
        f"{setup['built']:,} businesses in {setup['seconds']:.0f} s "
        f"({'reused' if not setup['built'] else 'cached for later runs'}"
        f"{', the database first copied from the digest fleet' if copied else ''}); seeding "
        f"{rounds[-1]['seed_s']:.0f} s per run."
    )
    return [Result(
        name=f"Reminders: {n:,} businesses × {CUSTOMERS} customers, beat tick → Celery worker "
             "→ SMTP sink, total time",
        unit="s", target=f"≤ {target:g} s (5 min per 1,000), every reminder exactly once",
        passed=exact and total.median <= target, **total.fields(),
        reference=f"tick durations summed / {WORKER_PROCESSES} worker processes (same runs)",
        **reference.reference(),
        ratio=round(total.median / reference.median, 2) if reference.median else None,
        notes=notes,
        extra={"setup": setup, "businesses": n, "expected": expected,
               "rounds": [{k: v for k, v in r.items() if k != "tick_ms"} for r in rounds]},
    )]
