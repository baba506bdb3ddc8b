"""Worker crash: `kill -9` a Celery worker (its whole process group) in the middle of a full QBO
sync and in the middle of a digest fan-out; after a restart everything completes and nothing is
duplicated (DESIGN §7, docs/reliability.md "Worker crash").

Real processes on real Redis and Postgres: a prefork worker (`-c 2`) on a queue of its own and a
Redis database of its own (so its short visibility timeout cannot redeliver anybody else's
messages), tasks sent by a separate process exactly as the app sends them
(`qbo_sync_enqueue`, the `digest.dispatch` beat task). Settings shortened by environment for the
drill only: Redis visibility timeout 6 s (production 1 h), sync lock lease 3 s (production 15
min, renewed after every page), digest lease 2 s (production 10 min).

Sync: the demo agency (quick `--scale 0.5 --years 2`) in the QBO sandbox (own process, QBO
limits off, +300 ms per call so the sync lasts long enough to be killed mid-way); killed once
some but not all rows are stored; after the restart the redelivered task re-runs the full sync.
Verdict: rows per entity = the sandbox's, zero duplicate rows in every ingest table, the dead
worker's lock expired on its own, its SyncRun is marked failed (not left "running").

Digest: N new businesses (quick 5) with an owner each and their weekly digest due; the worker
runs the dispatcher, which enqueues one `digest.send` per business; killed after the first
email. Verdict: every business ends with exactly one sent digest, or a visible `unknown` one
(the at-most-once rule of docs/digest.md), and no business got two emails (file mail backend).

    python -m tests.drills.run --only worker_crash [--quick]
    (this module's own entry point is the drill's task sender: `--send sync SLUG | dispatch`)
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from tests.drills.quick import worker_wait_ready

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 6  # s, Redis: a killed worker's unacked message comes back after this
SYNC_LOCK_SECONDS = 3  # s, lease of the sync lock (renewed after each page)
DIGEST_LEASE_SECONDS = 2  # s, < the visibility timeout: the redelivery finds the lease expired
BROKER_DB = 12  # a Redis database of the drill's own
SANDBOX_FAULTS = "limits=off,latency=300"
AS_OF_SEED = 3

ENTITY_MODELS = {
    "Account": "ledger.Account", "Vendor": "ap.Vendor", "Customer": "ar.Customer",
    "Bill": "ap.Bill", "Invoice": "ar.Invoice", "CreditMemo": "ar.CreditMemo",
    "BillPayment": "ap.BillPayment", "Payment": "ar.Payment", "Purchase": "bank.Purchase",
    "Deposit": "bank.Deposit", "Transfer": "bank.Transfer",
}


# --- processes --------------------------------------------------------------------------------


def _broker_url() -> str:
    """The app's broker, in a Redis database of the drill's own."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if url.startswith("redis://"):
        head = url.partition("://")[2].partition("/")[0]
        return f"redis://{head}/{BROKER_DB}"
    if url.startswith("redis+socket://"):
        return f"{url.partition('?')[0]}?virtual_host={BROKER_DB}"
    return url  # another transport: same database, the queue name still isolates


class Workers:
    """Celery worker processes of the drill (each in its own process group) and the sender."""

    def __init__(self, tmp: Path, queue: str) -> None:
        self.tmp = tmp
        self.queue = queue
        self.maildir = tmp / "mail"
        self.maildir.mkdir()
        self.started: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "CELERY_BROKER_URL": _broker_url(),
            "DRILL_QUEUE": queue,
            "DRILL_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "OODALOO_SYNC_LOCK_SECONDS": str(SYNC_LOCK_SECONDS),
            "OODALOO_DIGEST_LEASE_SECONDS": str(DIGEST_LEASE_SECONDS),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.maildir),
        }

    def start(self, timeout: float = 40) -> subprocess.Popen:
        n = len(self.started) + 1
        log = self.tmp / f"worker-{n}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.drills.crash_celery", "worker",
             "-Q", self.queue, "--pool", "prefork", "-c", "2", "-n", f"drill{n}-{self.queue}@%h",
             "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "info"],
            env=self.env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the pool with it
        )
        self.started.append(proc)
        worker_wait_ready(proc, log, str(n), timeout)
        return proc

    @staticmethod
    def kill9(proc: subprocess.Popen) -> None:
        """SIGKILL the worker's whole process group: parent and pool children, no warm shutdown."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)

    def send(self, *args: str) -> None:
        """Send tasks from a separate process, through the app's own code paths."""
        subprocess.run([sys.executable, "-m", "tests.drills.drill_worker_crash", "--send", *args],
                       env=self.env, cwd=ROOT, check=True, timeout=60, capture_output=True)

    def close(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                self.kill9(proc)

    def emails(self) -> dict[str, int]:
        """Emails per digest key prefix, read from the file backend's messages."""
        counts: dict[str, int] = {}
        for path in self.maildir.glob("*"):
            for key in re.findall(r"^X-Oodaloo-Digest: (digest:[^:\s]+):", path.read_text(
                    errors="replace"), flags=re.M):
                counts[key] = counts.get(key, 0) + 1
        return counts


def wait_until(predicate, timeout: float, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# --- sync -------------------------------------------------------------------------------------


def _sandbox_counts(qbo_dir: Path) -> dict[str, int]:
    out = {}
    for entity in ENTITY_MODELS:
        path = qbo_dir / f"{entity}.json"
        out[entity] = len(json.loads(path.read_text(), parse_float=Decimal)[entity]) \
            if path.exists() else 0
    return out


def _stored_counts(business) -> dict[str, int]:
    from django.apps import apps
    from django_tenants.utils import tenant_context

    with tenant_context(business):
        return {e: apps.get_model(m).objects.count() for e, m in ENTITY_MODELS.items()}


def _duplicate_rows(business) -> dict[str, int]:
    """Per ingest table: rows that repeat another row in every column but the primary key."""
    from django.apps import apps
    from django.db import connection
    from django_tenants.utils import tenant_context

    out = {}
    with tenant_context(business), connection.cursor() as cur:
        for label in ("ap", "ar", "bank"):
            for model in apps.get_app_config(label).get_models():
                cols = [f.column for f in model._meta.concrete_fields
                        if not f.primary_key and f.column not in ("synced_at", "created_at",
                                                                   "updated_at")]
                col_sql = ", ".join(f'"{c}"' for c in cols)
                table = model._meta.db_table
                cur.execute(f'SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT {col_sql} '
                            f'FROM "{table}") d) FROM "{table}"')
                dupes = cur.fetchone()[0]
                if dupes:
                    out[table] = dupes
    return out


def _sync_phase(workers: Workers, tmp: Path, quick: bool) -> tuple[bool, str]:
    import redis

    from apps.demo.generator.company import generate_company
    from apps.integrations.sync.locks import sync_lock_key
    from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
    from apps.integrations.sync.models import SyncRun
    from apps.integrations.sync.qbo_sync import STOPPED, _lock_prefix
    from apps.sandboxes.qbo.process import start_sandbox_process
    from apps.tenancy.services import business_provision

    scale, years = (0.5, 2) if quick else (2, 3)
    generate_company(tmp / "co", seed=AS_OF_SEED, years=years, scale=scale)
    expected = _sandbox_counts(tmp / "co" / "qbo")
    total = sum(expected.values())
    sandbox = start_sandbox_process(tmp / "co" / "qbo", faults=SANDBOX_FAULTS, persist=False)
    try:
        business = business_provision(slug=f"crash-sync-{uuid.uuid4().hex[:6]}",
                                      name="Crash drill (sync)")
        sandbox_connect(business, sandbox.base_url)
        first = workers.start()
        workers.send("sync", business.slug)
        stored = wait_until(lambda: (n := sum(_stored_counts(business).values())) >= total * 0.2
                       and n, timeout=60, step=0.05)
        at_kill = sum(_stored_counts(business).values())
        workers.kill9(first)
        from django.conf import settings

        lock_key = f"{_lock_prefix()}{sync_lock_key(business.schema_name, 'qbo')}"
        lock_ttl_ms = redis.Redis.from_url(settings.REDIS_URL).pttl(lock_key)
        killed_midway = bool(stored) and at_kill < total
        workers.start()

        def finished():
            return SyncRun.objects.filter(business=business,
                                          state=SyncRun.State.SUCCEEDED).first()

        done = wait_until(finished, timeout=90, step=0.2)

        def running_runs():
            return SyncRun.objects.filter(business=business, state="running").count()

        # On a slow machine the redelivered sync can outlast the drill's 6 s visibility timeout,
        # so the message comes back once more (at-least-once) and a second, legitimate sync
        # starts after the first. Let it finish: what must never stay "running" is a dead run.
        wait_until(lambda: running_runs() == 0, timeout=60, step=0.2)
        stopped = SyncRun.objects.filter(business=business, state="failed", error=STOPPED).count()
        running = running_runs()
    finally:
        sandbox.stop()
    got = _stored_counts(business)
    dupes = _duplicate_rows(business)
    missing = {e: (expected[e], got[e]) for e in expected if got[e] != expected[e]}
    ok = (killed_midway and done is not None and not missing and not dupes
          and 0 < lock_ttl_ms <= SYNC_LOCK_SECONDS * 1000 and stopped == 1 and running == 0)
    line = (
        f"sync: killed at {at_kill:,}/{total:,} rows, redelivered and "
        f"{'completed' if done else 'NOT completed'}: {sum(got.values()):,}/{total:,} rows"
        f"{' (mismatch ' + str(missing) + ')' if missing else ''}, "
        f"{sum(dupes.values())} duplicate rows{' ' + str(dupes) if dupes else ''}, dead lock "
        f"lease {lock_ttl_ms / 1000:.1f}s left (≤ {SYNC_LOCK_SECONDS}s), crashed run marked "
        f"failed: {stopped}, left running: {running}"
    )
    return ok, line


# --- digest -----------------------------------------------------------------------------------


def _digest_phase(workers: Workers, quick: bool) -> tuple[bool, str]:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from apps.accounts.services import business_create_with_owner
    from apps.digest.content import week_label
    from apps.digest.models import DigestDelivery, DigestRun
    from apps.digest.services import digest_key

    n = 5 if quick else 20
    tag = uuid.uuid4().hex[:6]
    businesses = [
        business_create_with_owner(slug=f"crash-dg{i}-{tag}", name=f"Crash drill digest {i}",
                                   owner_email=f"owner{i}@crash-{tag}.test",
                                   timezone_name="America/New_York",
                                   password="drill-password-1")[0]
        for i in range(n)
    ]
    prefixes = {f"digest:{b.schema_name}": b for b in businesses}

    def mine() -> dict[str, int]:
        return {k: v for k, v in workers.emails().items() if k in prefixes}

    worker = workers.start()
    workers.send("dispatch")
    wait_until(lambda: mine(), timeout=60, step=0.02)
    emails_at_kill = sum(mine().values())
    workers.kill9(worker)
    workers.start()

    def key_of(business) -> str:
        local = timezone.now().astimezone(__import__("zoneinfo").ZoneInfo(business.timezone))
        return digest_key(business, week_label(local.date()))

    def runs() -> dict[str, DigestRun | None]:
        out = {}
        for b in businesses:
            with tenant_context(b):
                out[b.schema_name] = DigestRun.objects.filter(key=key_of(b)).first()
        return out

    settled = ("sent", "partial", "skipped", "unknown", "failed")
    all_settled = wait_until(lambda: all(r and r.state in settled for r in runs().values()),
                        timeout=60, step=0.3)
    redispatched = False
    if not all_settled:  # what beat's next tick would do: the dispatcher picks up the rest
        redispatched = True
        workers.send("dispatch")
        wait_until(lambda: all(r and r.state in settled for r in runs().values()), timeout=40,
              step=0.3)
    final = runs()
    emails = mine()
    states: dict[str, int] = {}
    bad = []
    for b in businesses:
        run = final[b.schema_name]
        state = run.state if run else "missing"
        states[state] = states.get(state, 0) + 1
        got = emails.get(f"digest:{b.schema_name}", 0)
        with tenant_context(b):
            deliveries = list(DigestDelivery.objects.filter(run__key=key_of(b))
                              .values_list("state", flat=True))
        if state == "sent" and (got != 1 or deliveries != ["sent"]):
            bad.append(f"{b.slug}: sent with {got} emails / deliveries {deliveries}")
        elif state == "unknown" and (got > 1 or deliveries != ["unknown"]):
            bad.append(f"{b.slug}: unknown with {got} emails / deliveries {deliveries}")
        elif state not in ("sent", "unknown"):
            bad.append(f"{b.slug}: {state}")
    duplicates = sum(max(0, c - 1) for c in emails.values())
    interrupted = 0 < emails_at_kill < n
    ok = interrupted and not bad and duplicates == 0
    line = (
        f"digest: {n} businesses, killed after {emails_at_kill} email(s); final "
        + ", ".join(f"{k}={v}" for k, v in sorted(states.items()))
        + f"; {sum(emails.values())} emails, {duplicates} duplicates"
        + ("; re-dispatched once (beat's next tick)" if redispatched else "")
        + (f"; problems: {'; '.join(bad[:3])}" if bad else "")
        + ("" if interrupted else "; NOT interrupted mid-way")
    )
    return ok, line


# --- entry points -----------------------------------------------------------------------------


def run(quick: bool) -> tuple[bool, str]:
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="drill-crash-") as tmp:
        workers = Workers(Path(tmp), f"drill-crash-{uuid.uuid4().hex[:8]}")
        try:
            started = time.monotonic()
            sync_ok, sync_line = _sync_phase(workers, Path(tmp), quick)
            sync_line += f" ({time.monotonic() - started:.0f}s)"
            connection.set_schema_to_public()
            workers.close()
            started = time.monotonic()
            digest_ok, digest_line = _digest_phase(workers, quick)
            digest_line += f" ({time.monotonic() - started:.0f}s)"
        finally:
            workers.close()
            connection.set_schema_to_public()
    return sync_ok and digest_ok, f"{sync_line}; {digest_line}"


def _send(kind: str, *args: str) -> None:
    """The sender process: configure the drill's Celery app, then send as the app does."""
    import django

    import tests.drills.crash_celery  # noqa: F401 — queue and broker options

    django.setup()
    if kind == "sync":
        from apps.integrations.sync.connection import qbo_sync_enqueue
        from apps.tenancy.models import Business

        qbo_sync_enqueue(Business.objects.get(slug=args[0]), full=True)
    elif kind == "dispatch":
        from apps.digest.tasks import digest_dispatch_task

        digest_dispatch_task.apply_async()
    elif kind == "reminders":  # the reminder-crash drill (drill_reminder_crash.py)
        from apps.collections.tasks import reminders_dispatch_task

        reminders_dispatch_task.apply_async()
    elif kind == "automation":  # the automation-crash drill (drill_automation_crash.py)
        from apps.automation.tasks import automation_dispatch_task

        automation_dispatch_task.apply_async()
    else:
        raise SystemExit(f"unknown kind {kind!r}")


def main(argv: list[str]) -> int:
    if argv[:1] != ["--send"] or len(argv) < 2:
        print("run the drill with: python -m tests.drills.run --only worker_crash [--quick]")
        return 2
    _send(*argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
