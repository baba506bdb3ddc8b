"""QBO fault drill: many bill-payment actions through the outbox while the sandbox injects
503s, timeouts, commit-then-drop and throttling. Verdict: exactly one BillPayment in QBO per
succeeded action, none for failed ones, and no action left in between.

    python -m tests.bench.qbo_fault_drill --actions 1000 [--faults SPEC] [--seed N]

Runs in its own database (``oodaloo_qbo_drill``, recreated), against an in-process sandbox
with QBO's rate limits switched off (so the drill measures correctness, not the 500/min cap).
Prints one verdict line; exits 1 on failure. ``run_drill`` is also used by the test suite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_FAULTS = "error503=0.08,timeout=0.07,hold=0.05,drop=0.08,throttle=0.07"
FIRST_BILL = 2000  # tests/integrations/sync/qbo_company.py numbers its extra bills from here


@dataclass
class DrillResult:
    actions: int
    states: Counter
    duplicates: int  # succeeded actions with more than one BillPayment in QBO
    missing: int  # succeeded actions with no BillPayment in QBO
    ghost: int  # failed/open actions that nonetheless have a BillPayment in QBO
    rounds: int
    faults: dict
    seconds: float

    @property
    def stuck(self) -> int:
        return sum(n for s, n in self.states.items() if s not in ("succeeded", "failed"))

    @property
    def ok(self) -> bool:
        return not (self.duplicates or self.missing or self.ghost or self.stuck)

    def verdict(self) -> str:
        status = "PASS" if self.ok else "FAIL"
        return (
            f"qbo-fault-drill {status}: actions={self.actions} "
            f"succeeded={self.states.get('succeeded', 0)} failed={self.states.get('failed', 0)} "
            f"stuck={self.stuck} duplicates={self.duplicates} missing={self.missing} "
            f"ghost={self.ghost} reconcile_rounds={self.rounds} "
            f"injected(errors={self.faults.get('errors_injected', 0)} "
            f"timeouts={self.faults.get('timeouts', 0)} drops={self.faults.get('drops', 0)} "
            f"throttled={self.faults.get('throttled', 0)} "
            f"replays={self.faults.get('idempotent_replays', 0)}) in {self.seconds:.1f}s"
        )


def run_drill(
    business: Any, sb: Any, n_actions: int, *, faults: str = DEFAULT_FAULTS, seed: int = 7,
    max_rounds: int = 10,
) -> DrillResult:
    """Pay bills FIRST_BILL.. FIRST_BILL+n-1 (100.00 each, vendor 56, bank 35) via the outbox."""
    import requests

    from apps.integrations.sync.models import Action
    from apps.integrations.sync.outbox import (
        NOTE_PREFIX,
        action_create,
        action_execute,
        action_reconcile,
    )

    started = time.perf_counter()
    requests.post(f"{sb.base_url}/_sandbox/reset", timeout=10)
    keys = []
    actions = []
    for i in range(n_actions):
        key = str(uuid.uuid4())
        keys.append(key)
        actions.append(action_create(
            business, "bill_payment.create",
            {"vendor": "56", "bill": str(FIRST_BILL + i), "amount": "100.00",
             "bank_account": "35", "date": "2026-11-20"},
            key=key, target_type="ap.Bill", target_id=str(FIRST_BILL + i),
            actor_email="drill@oodaloo.test", enqueue=False,
        ))
    sb.set_faults(f"{faults},seed={seed}", merge=True)
    for action in actions:
        action_execute(action)
    rounds = 0
    while rounds < max_rounds:
        open_ids = list(Action.objects.filter(key__in=keys).exclude(
            state__in=["succeeded", "failed"]).values_list("pk", flat=True))
        if not open_ids:
            break
        rounds += 1
        for pk in open_ids:
            action_reconcile(pk)
    fault_stats = sb.stats()
    sb.set_faults("error503=0,timeout=0,drop=0,throttle=0", merge=True)

    tokens = sb.issue_tokens()
    notes: Counter = Counter()
    start = 1
    while True:  # read back every BillPayment (no faults now)
        resp = requests.get(
            f"{sb.api_base}/query",
            params={"query": f"SELECT * FROM BillPayment STARTPOSITION {start} MAXRESULTS 1000"},
            headers={"Authorization": f"Bearer {tokens['access_token']}",
                     "Accept": "application/json"},
            timeout=30,
        )
        resp.raise_for_status()
        rows = resp.json().get("QueryResponse", {}).get("BillPayment", [])
        notes.update(str(r.get("PrivateNote") or "") for r in rows)
        if len(rows) < 1000:
            break
        start += 1000
    states: Counter = Counter()
    duplicates = missing = ghost = 0
    for action in Action.objects.filter(key__in=keys):
        states[action.state] += 1
        count = notes.get(f"{NOTE_PREFIX}{action.key}", 0)
        if action.state == "succeeded":
            duplicates += count > 1
            missing += count == 0
        elif count:
            ghost += 1
    return DrillResult(n_actions, states, duplicates, missing, ghost, rounds, fault_stats,
                       time.perf_counter() - started)


def _setup_database() -> None:
    """A fresh drill database next to the configured one; shared schema + tenancy set up."""
    import psycopg

    from tests.service_urls import admin_connect_params, configured_database_url, with_database

    os.environ["DATABASE_URL"] = with_database(configured_database_url(), "oodaloo_qbo_drill")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.dev")
    params = admin_connect_params(os.environ["DATABASE_URL"])
    with psycopg.connect(**params) as conn:
        conn.execute("DROP DATABASE IF EXISTS oodaloo_qbo_drill WITH (FORCE)")
        conn.execute("CREATE DATABASE oodaloo_qbo_drill")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, verbosity=0)
    call_command("setup_tenancy", verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--faults", default=DEFAULT_FAULTS)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    _setup_database()
    from django.conf import settings

    from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
    from apps.integrations.sync.qbo_sync import qbo_sync_run
    from apps.tenancy.services import business_provision
    from tests.integrations.sync.qbo_company import start, write_company

    settings.QBO_LIMITER = False  # sandbox limits are off too: correctness, not the 500/min cap
    settings.QBO_RETRY_BASE, settings.QBO_RETRY_CAP = 0.02, 0.2
    business = business_provision(slug="qbo-drill", name="QBO drill")
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_company(Path(tmp) / "co", extra_bills=args.actions)
        sb = start(directory, faults="limits=off")
        try:
            sandbox_connect(business, sb.base_url)
            qbo_sync_run(business, full=True)
            result = run_drill(business, sb, args.actions, faults=args.faults, seed=args.seed)
        finally:
            sb.stop()
    print(result.verdict())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
