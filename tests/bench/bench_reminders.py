"""The daily reminder tick for many businesses through real Celery workers.

What is measured: N businesses (full run 1,000 — `OODALOO_BENCH_REMINDER_BUSINESSES` overrides;
quick 10), each its own schema with reminders on and C = 5 customers whose invoice is a day
past due (each customer's "1 day after due" step falls due today). Timed: from the beat task
`reminders.dispatch` being sent until every business's tick has finished — the dispatcher's
pass over all businesses, one `reminders.tick` per business on a real prefork worker (`-c 2`,
2 cores), the plan, the claim rows and N × C emails through Django's file mail backend (no
provider round trip). Provisioning the schemas is not timed (see the provisioning benchmark).
Reference (same run): the sum of the ticks' own durations (their JobRun rows), i.e. the serial
time, so the ratio shows what two worker processes bought. Verdict: every email once, 0
duplicates, and ≤ 5 min per 1,000 businesses (the digest's §8 budget), scaled to N.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.bench.harness import Result

PREFIX = "rmbench"
CUSTOMERS = 5


def _businesses(n: int, zone: str) -> list:
    from django_tenants.utils import tenant_context

    from apps.ar.models import Customer, Invoice
    from apps.ar.reminders.models import CollectionsSettings, ReminderEmail, ReminderTick
    from apps.core.dates import local_today
    from apps.tenancy.models import Business
    from apps.tenancy.services import business_provision

    have = list(Business.objects.filter(slug__startswith=f"{PREFIX}-").order_by("slug"))
    for i in range(len(have), n):
        have.append(business_provision(slug=f"{PREFIX}-{i:04d}", name=f"Reminder Bench {i}",
                                       timezone=zone))
    out = have[:n]
    Business.objects.filter(pk__in=[b.pk for b in out]).update(timezone=zone)
    due = local_today(zone) - timedelta(days=1)
    for b in out:
        b.timezone = zone
        with tenant_context(b):
            ReminderEmail.objects.all().delete()
            ReminderTick.objects.all().delete()
            Invoice.objects.all().delete()
            Customer.objects.all().delete()
            CollectionsSettings.objects.update_or_create(
                singleton=1, defaults={"enabled": True, "attach_pdfs": False})
            for c in range(CUSTOMERS):
                cust = Customer.objects.create(realm_id="1", qbo_id=str(c + 1),
                                               display_name=f"Customer {c}",
                                               email=f"ap{c}@{b.slug}.test")
                Invoice.objects.create(
                    realm_id="1", qbo_id=str(c + 1), customer=cust,
                    customer_qbo_id=cust.qbo_id, doc_number=f"INV-{c}",
                    txn_date=due - timedelta(days=30), due_date=due, total=100 + c,
                    balance=100 + c, home_total=100 + c, home_balance=100 + c)
    return out


def _done(businesses) -> int:
    from django_tenants.utils import tenant_context

    from apps.ar.reminders.models import ReminderTick

    count = 0
    for b in businesses:
        with tenant_context(b):
            count += ReminderTick.objects.filter(finished_at__isnull=False).exists()
    return count


def _emails(maildir: Path) -> Counter:
    counts: Counter = Counter()
    for path in maildir.glob("*"):
        counts.update(re.findall(r"^X-Oodaloo-Reminder: (\S+)",
                                 path.read_text(errors="replace"), flags=re.M))
    return counts


def run(quick: bool) -> list[Result]:
    from django.db import connection
    from django.utils import timezone

    from apps.core.models import JobRun
    from tests.drills.drill_reminder_crash import morning_zone
    from tests.drills.drill_worker_crash import Workers, wait_until

    n = int(os.environ.get("OODALOO_BENCH_REMINDER_BUSINESSES") or (10 if quick else 1000))
    zone = morning_zone(datetime.now(UTC))
    prov_started = time.perf_counter()
    businesses = _businesses(n, zone)
    prep_s = time.perf_counter() - prov_started
    connection.set_schema_to_public()
    with tempfile.TemporaryDirectory(prefix="bench-remind-") as tmp:
        workers = Workers(Path(tmp), f"bench-remind-{uuid.uuid4().hex[:8]}")
        workers.env["DRILL_VISIBILITY_TIMEOUT"] = "3600"  # no redelivery of queued ticks
        try:
            workers.start()
            since = timezone.now()
            started = time.perf_counter()
            workers.send("reminders")
            wait_until(lambda: _done(businesses) == n, timeout=max(600, n * 3), step=0.5)
            wall = time.perf_counter() - started
            done = _done(businesses)
            emails = _emails(workers.maildir)
        finally:
            workers.close()
    ticks = [r.duration_ms for r in JobRun.objects.filter(name="reminders.tick",
                                                          started_at__gte=since)
             if r.duration_ms is not None]
    serial = sum(ticks) / 1000
    duplicates = sum(v - 1 for v in emails.values() if v > 1)
    expected = n * CUSTOMERS
    target_s = 300 * n / 1000
    ok = done == n and sum(emails.values()) == expected and duplicates == 0 and wall <= target_s
    ticks.sort()
    return [Result(
        name=f"Reminder tick, {n} businesses × {CUSTOMERS} customers, real Celery worker (-c 2)",
        figure=round(wall, 1), unit="s", target=f"≤ {target_s:g} s (5 min per 1,000)",
        passed=ok, reference="sum of the ticks' own durations (serial)",
        reference_figure=round(serial, 1), ratio=round(wall / serial, 2) if serial else None,
        notes=(f"{done}/{n} ticks finished, {sum(emails.values())}/{expected} emails, "
               f"{duplicates} duplicates; per tick median {ticks[len(ticks) // 2]} ms, max "
               f"{ticks[-1] if ticks else 0} ms; file mail backend (no provider round trip); "
               f"provisioning + seeding (not timed) {prep_s:.0f} s"),
        extra={"businesses": n, "emails": sum(emails.values()), "duplicates": duplicates,
               "tick_ms_median": ticks[len(ticks) // 2] if ticks else None},
    )]
