"""Reminder tick crash: `kill -9` a Celery worker (its whole process group) in the middle of the
daily reminder tick of several businesses; after a restart and redelivery every customer's email
goes out once (DESIGN §7, docs/collections.md "Sending").

Real processes on real Redis and Postgres, as the worker-crash drill (it reuses its `Workers`):
a prefork worker (`-c 2`) on a queue and Redis database of the drill's own, Redis visibility
timeout 6 s, reminder lease 2 s. N businesses (quick 3, full 8) in a time zone where it is
already morning, reminders on, C customers each (quick 12, full 25) with one invoice due
yesterday (its "1 day after due" step falls due today). The sender process runs the beat task
`reminders.dispatch`, which enqueues one `reminders.tick` per business; the worker is killed
after the first reminder email is written and a new one started.

Verdict: every customer got exactly one email and its ReminderEmail is `sent`, or — killed in
the instant between recording `sending` and the provider's answer — at most one email and a
visible `unknown` (the at-most-once rule); never two emails; every tick finished.

    python -m tests.drills.run --only reminder_crash [--quick]
"""

from __future__ import annotations

import re
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.drills.drill_worker_crash import Workers, wait_until

LEASE_SECONDS = 2


def morning_zone(now: datetime) -> str:
    """A fixed-offset zone where it is between 08:00 and 22:00 now (the tick's local morning)."""
    for hours in range(-12, 15):
        name = f"Etc/GMT{-hours:+d}" if hours else "UTC"
        local = now.astimezone(ZoneInfo(name))
        if 8 <= local.hour < 22:
            return name
    raise RuntimeError("no zone in its morning")  # unreachable: offsets cover every hour


def _seed(n: int, customers: int, zone: str) -> list:
    from django_tenants.utils import tenant_context

    from apps.accounts.services import business_create_with_owner
    from apps.ar.models import Customer, Invoice
    from apps.ar.reminders.models import CollectionsSettings
    from apps.core.dates import local_today

    tag = uuid.uuid4().hex[:6]
    out = []
    for i in range(n):
        business = business_create_with_owner(
            slug=f"crash-rm{i}-{tag}", name=f"Crash drill reminders {i}",
            owner_email=f"owner{i}@crash-rm-{tag}.test", timezone_name=zone,
            password="drill-password-1")[0]
        with tenant_context(business):
            CollectionsSettings.objects.update_or_create(
                singleton=1, defaults={"enabled": True, "attach_pdfs": False})
            due = local_today(zone) - timedelta(days=1)
            for c in range(customers):
                cust = Customer.objects.create(realm_id="1", qbo_id=str(c + 1),
                                               display_name=f"Customer {c}",
                                               email=f"ap{c}@cust-{tag}.test")
                Invoice.objects.create(
                    realm_id="1", qbo_id=str(c + 1), customer=cust, customer_qbo_id=cust.qbo_id,
                    doc_number=f"INV-{c}", txn_date=due - timedelta(days=30), due_date=due,
                    total=100 + c, balance=100 + c, home_total=100 + c, home_balance=100 + c)
        out.append(business)
    return out


def _emails(maildir: Path) -> Counter:
    counts: Counter = Counter()
    for path in maildir.glob("*"):
        for key in re.findall(r"^X-Oodaloo-Reminder: (\S+)", path.read_text(errors="replace"),
                              flags=re.M):
            counts[key] += 1
    return counts


def _states(businesses) -> dict[str, Counter]:
    from django_tenants.utils import tenant_context

    from apps.ar.reminders.models import ReminderEmail, ReminderTick

    out = {}
    for b in businesses:
        with tenant_context(b):
            c = Counter(ReminderEmail.objects.values_list("state", flat=True))
            c["ticks_done"] = ReminderTick.objects.filter(finished_at__isnull=False).count()
            out[b.schema_name] = c
    return out


def _phase(workers: Workers, quick: bool) -> tuple[bool, str]:
    n, customers = (3, 12) if quick else (8, 25)
    businesses = _seed(n, customers, morning_zone(datetime.now(UTC)))
    expected = n * customers
    schemas = {b.schema_name for b in businesses}

    def mine() -> Counter:
        return Counter({k: v for k, v in _emails(workers.maildir).items()
                        if k.split(":")[0] in schemas})

    worker = workers.start()
    workers.send("reminders")
    wait_until(lambda: sum(mine().values()), timeout=60, step=0.01)
    at_kill = sum(mine().values())
    workers.kill9(worker)
    workers.start()

    def settled() -> bool:
        return all(s["ticks_done"] == 1 for s in _states(businesses).values())

    redispatched = False
    if not wait_until(settled, timeout=60, step=0.3):
        redispatched = True  # what beat's next tick does: the dispatcher picks up the rest
        workers.send("reminders")
        wait_until(settled, timeout=40, step=0.3)
    emails = mine()
    states = Counter()
    for s in _states(businesses).values():
        states.update({k: v for k, v in s.items() if k != "ticks_done"})
    duplicates = sum(v - 1 for v in emails.values() if v > 1)
    exactly_once = states["sent"]
    unknown = states["unknown"]
    ok = (0 < at_kill < expected and duplicates == 0 and exactly_once + unknown == expected
          and len(emails) >= exactly_once and settled())
    line = (f"reminders: {n} businesses × {customers} customers, killed after {at_kill} "
            f"email(s); {exactly_once}/{expected} sent exactly once, {unknown} unknown "
            f"(at most once), {sum(emails.values())} emails, {duplicates} duplicates"
            + ("; re-dispatched once (beat's next tick)" if redispatched else "")
            + ("" if 0 < at_kill < expected else "; NOT interrupted mid-tick"))
    return ok, line


def run(quick: bool) -> tuple[bool, str]:
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="drill-remind-") as tmp:
        workers = Workers(Path(tmp), f"drill-remind-{uuid.uuid4().hex[:8]}")
        workers.env["OODALOO_REMINDER_LEASE_SECONDS"] = str(LEASE_SECONDS)
        workers.env["EMAIL_BACKEND"] = "tests.drills.slow_mail.EmailBackend"
        try:
            started = time.monotonic()
            ok, line = _phase(workers, quick)
            line += f" ({time.monotonic() - started:.0f}s)"
        finally:
            workers.close()
            connection.set_schema_to_public()
    return ok, line
