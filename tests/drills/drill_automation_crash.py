"""Automation tick crash: `kill -9` a Celery worker (its whole process group) in the middle of
the automation tick of several businesses; after a restart and redelivery every rule acted
exactly once on every object (docs/automation.md "Exactly once").

Real processes on real Redis and Postgres, as the worker-crash drill (it reuses its `Workers`):
a prefork worker (`-c 2`), Redis visibility timeout 6 s, payments' undo window 0 (they go to
the outbox in the same tick). N businesses (quick 3, full 6), each with B bills (quick 15, full
40) from a known vendor, new and due today, and the approve, schedule and record rules on with
a runway floor (so each step runs the runway what-if). The sender runs the beat task
`automation.dispatch`; the worker is killed once the first rule action is written, a new one
started.

Verdict: every bill approved once (one `approved` event, one audit entry), scheduled once, and
exactly one outbox payment per bill; every business's tick finished (all 3B rule actions).

    python -m tests.drills.run --only automation_crash [--quick]
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from tests.drills.drill_worker_crash import Workers, wait_until


def _seed(n: int, bills: int) -> list:
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from apps.accounts.services import business_create_with_owner
    from apps.ap.models import Bill, Vendor
    from apps.automation.rules import rule_save, rule_switch, rules_all
    from apps.bank.models import Account
    from apps.core.dates import local_today

    tag = uuid.uuid4().hex[:6]
    out = []
    for i in range(n):
        business, owner = business_create_with_owner(
            slug=f"crash-au{i}-{tag}", name=f"Crash drill automation {i}",
            owner_email=f"owner{i}@crash-au-{tag}.test", timezone_name="UTC",
            password="drill-password-1")[:2]
        business.last_sync_at = timezone.now()
        business.save(update_fields=["last_sync_at"])
        today = local_today("UTC")
        with tenant_context(business):
            Account.objects.create(realm_id="1", qbo_id="35", name="Operating",
                                   account_type=Account.Type.BANK, included_in_runway=True,
                                   current_balance=Decimal("900000.00"))
            vendor = Vendor.objects.create(realm_id="1", qbo_id="7", display_name="Known")
            common = {"realm_id": "1", "vendor": vendor, "vendor_qbo_id": "7"}
            Bill.objects.create(**common, qbo_id="1", txn_date=today - timedelta(days=40),
                                due_date=today - timedelta(days=10), total=50, balance=0,
                                home_total=50, home_balance=0)
            for b in range(bills):
                Bill.objects.create(**common, qbo_id=str(100 + b), doc_number=f"B-{b}",
                                    txn_date=today - timedelta(days=20), due_date=today,
                                    total=100 + b, balance=100 + b, home_total=100 + b,
                                    home_balance=100 + b)
            rules_all()
            for kind in ("approve", "schedule", "record"):
                rule_save(actor=owner, kind=kind, params={}, floor_days="1",
                          floor_amount="-1000000000")
                rule_switch(actor=owner, kind=kind, on=True)
        out.append(business)
    return out


def _facts(businesses) -> dict[str, Counter]:
    from django_tenants.utils import tenant_context

    from apps.ap.models import BillEvent
    from apps.automation.models import RuleAction
    from apps.core.models import AuditEvent
    from apps.integrations.sync.models import Action

    out = {}
    for b in businesses:
        with tenant_context(b):
            c = Counter()
            c["rows"] = RuleAction.objects.filter(state="done").count()
            c["approved_max"] = max(Counter(BillEvent.objects.filter(kind="approved")
                                            .values_list("bill_id", flat=True)).values() or [0])
            c["scheduled_max"] = max(Counter(BillEvent.objects.filter(kind="scheduled")
                                             .values_list("bill_id", flat=True)).values() or [0])
            c["approved"] = BillEvent.objects.filter(kind="approved").count()
        audits = Counter(AuditEvent.objects.filter(business=b, action="bill.approved")
                         .values_list("object_id", flat=True))
        c["audit_max"] = max(audits.values() or [0])
        pays = Counter(Action.objects.filter(business=b).values_list("target_id", flat=True))
        c["payments"] = len(pays)
        c["payment_max"] = max(pays.values() or [0])
        out[b.schema_name] = c
    return out


def _phase(workers: Workers, quick: bool) -> tuple[bool, str]:
    n, bills = (3, 15) if quick else (6, 40)
    businesses = _seed(n, bills)

    def rows() -> int:
        return sum(f["rows"] for f in _facts(businesses).values())

    worker = workers.start()
    workers.send("automation")
    wait_until(rows, timeout=60, step=0.01)
    at_kill = rows()
    workers.kill9(worker)
    workers.start()
    expected = n * bills * 3

    def settled() -> bool:
        return rows() == expected

    redispatched = False
    if not wait_until(settled, timeout=90, step=0.3):
        redispatched = True  # beat's next hour: the dispatcher sends the ticks again
        workers.send("automation")
        wait_until(settled, timeout=60, step=0.3)
    facts = _facts(businesses).values()
    duplicates = sum(max(f["approved_max"], f["scheduled_max"], f["audit_max"],
                         f["payment_max"]) > 1 for f in facts)
    payments = sum(f["payments"] for f in facts)
    ok = (0 < at_kill < expected and duplicates == 0 and settled()
          and payments == n * bills)
    line = (f"automation: {n} businesses × {bills} bills × 3 rules, killed after {at_kill} "
            f"rule action(s); {rows()}/{expected} acted, {payments}/{n * bills} payments in the "
            f"outbox, {duplicates} duplicates"
            + ("; re-dispatched once (beat's next tick)" if redispatched else "")
            + ("" if 0 < at_kill < expected else "; NOT interrupted mid-tick"))
    return ok, line


def run(quick: bool) -> tuple[bool, str]:
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="drill-auto-") as tmp:
        workers = Workers(Path(tmp), f"drill-auto-{uuid.uuid4().hex[:8]}")
        workers.env["AUTOMATION_PAYMENT_UNDO_MINUTES"] = "0"
        try:
            started = time.monotonic()
            ok, line = _phase(workers, quick)
            line += f" ({time.monotonic() - started:.0f}s)"
        finally:
            workers.close()
            connection.set_schema_to_public()
    return ok, line
