"""QBO fault drill (docs/reliability.md, "Nothing lost, no duplicate payments").

(a) Payments: N bill payments through the outbox while the sandbox answers ~30% of requests
    with a 503, a timeout, a commit-then-drop or a 429 (the core is
    ``tests.bench.qbo_fault_drill.run_drill``): exactly one BillPayment in QBO per succeeded
    action, none per failed one, none left in between.
(b) Sync: a full sync of a generated agency while the sandbox throws 429 bursts and 503 storms
    (its QBO limits and our Redis limiter both on): it completes, every entity type holds
    exactly the sandbox's records (same ids, same SyncTokens, no duplicates, nothing lost,
    quarantine empty); then rounds of changes in QBO, each followed by an incremental (CDC)
    sync while the sandbox throws 429 bursts and 503s at *that* sync — at least
    MIN_INCREMENTAL_FAULTS faults land inside incremental syncs — and after every round our
    records equal QBO's again.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import requests

SYNC_FAULTS = "throttle=0.12,burst=3,error503=0.12"  # 429 bursts of 3 + 503s on ~1 in 4 calls
STORM = "error503=0.6"  # a storm: most calls fail for a while (the retry policy rides it out)
# During incremental syncs: 429 bursts of three and 503s on about half the calls.
INCREMENTAL_FAULTS = "throttle=0.3,burst=3,error503=0.3"
MIN_INCREMENTAL_FAULTS = 20
# About half the calls fail, so a run can exhaust the client's retries; the scheduler reruns a
# failed sync on its next tick (every 5 min) — the drill allows that many ticks.
INCREMENTAL_TRIES = 6
MAX_SYNC_TRIES = 3  # the scheduler's next tick retries a failed sync; the drill does the same


@contextlib.contextmanager
def overridden(**values: Any):
    """Temporarily change Django settings (the drill runs inside another process's settings)."""
    from django.conf import settings

    missing = object()
    old = {k: getattr(settings, k, missing) for k in values}
    for key, value in values.items():
        setattr(settings, key, value)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is missing:
                delattr(settings, key)
            else:
                setattr(settings, key, value)


def payments_drill(n_actions: int) -> tuple[bool, str]:
    from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
    from apps.integrations.sync.qbo_sync import qbo_sync_run
    from apps.tenancy.services import business_provision
    from tests.bench.qbo_fault_drill import run_drill
    from tests.integrations.sync.qbo_company import start, write_company

    business = business_provision(slug=f"faults-pay-{uuid.uuid4().hex[:6]}",
                                  name="Fault drill payments")
    with overridden(QBO_LIMITER=False, QBO_RETRY_BASE=0.02, QBO_RETRY_CAP=0.2), \
            tempfile.TemporaryDirectory() as tmp:
        directory = write_company(Path(tmp) / "co", extra_bills=n_actions)
        sb = start(directory, faults="limits=off")  # correctness here, not the 500/min cap
        try:
            sandbox_connect(business, sb.base_url)
            qbo_sync_run(business, full=True)
            result = run_drill(business, sb, n_actions)
        finally:
            sb.stop()
    line = result.verdict().split(": ", 1)[1]
    return result.ok, line


# --- (b) sync under 429 bursts and 503 storms -----------------------------------------------


def _sandbox_ids(sb: Any, entity: str) -> dict[str, str]:
    """Id → SyncToken of every live record of ``entity`` in the sandbox (read with faults off)."""
    token = sb.issue_tokens()["access_token"]
    out: dict[str, str] = {}
    start = 1
    while True:
        resp = requests.get(
            f"{sb.api_base}/query",
            params={"query": f"SELECT * FROM {entity} STARTPOSITION {start} MAXRESULTS 1000"},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=30,
        )
        resp.raise_for_status()
        rows = resp.json().get("QueryResponse", {}).get(entity, [])
        out.update({str(r["Id"]): str(r.get("SyncToken", "")) for r in rows})
        if len(rows) < 1000:
            return out
        start += 1000


def qbo_models() -> dict[str, Any]:
    from apps.ap.models import Bill, BillPayment, Vendor
    from apps.ar.models import CreditMemo, Customer, Invoice, Payment
    from apps.bank.models import Account, Deposit, Purchase, Transfer

    return {"Account": Account, "Vendor": Vendor, "Customer": Customer, "Bill": Bill,
            "Invoice": Invoice, "CreditMemo": CreditMemo, "BillPayment": BillPayment,
            "Payment": Payment, "Purchase": Purchase, "Deposit": Deposit, "Transfer": Transfer}


def compare(business: Any, sb: Any) -> dict[str, int]:
    """Our live rows per entity against the sandbox's: counts of duplicates, lost, extra, stale."""
    from django.db.models import Count
    from django_tenants.utils import tenant_context

    from apps.integrations.sync.models import QuarantinedRecord

    sb.set_faults("error503=0,error500=0,timeout=0,drop=0,throttle=0", merge=True)
    totals = {"records": 0, "duplicates": 0, "lost": 0, "extra": 0, "stale": 0}
    with tenant_context(business):
        for entity, model in qbo_models().items():
            theirs = _sandbox_ids(sb, entity)
            live = model.objects.filter(is_deleted=False)
            ours = dict(live.values_list("qbo_id", "sync_token"))
            totals["duplicates"] += live.values("qbo_id").annotate(n=Count("id")).filter(
                n__gt=1).count()
            totals["records"] += len(theirs)
            totals["lost"] += len(theirs.keys() - ours.keys())
            totals["extra"] += len(ours.keys() - theirs.keys())
            totals["stale"] += sum(1 for k, v in theirs.items() if k in ours and ours[k] != v)
    totals["quarantined"] = QuarantinedRecord.objects.filter(
        business=business, resolved_at__isnull=True).count()
    return totals


def _sync(business: Any, full: bool, tries: int = MAX_SYNC_TRIES) -> tuple[Any, int]:
    """Run a sync; a failed run is retried like the scheduler would, at most `tries` runs."""
    from apps.integrations.sync.qbo_sync import qbo_sync_run

    for attempt in range(1, tries + 1):
        try:
            return qbo_sync_run(business, full=full), attempt
        except Exception:
            if attempt == tries:
                raise
    raise AssertionError("unreachable")


def _mutate(sb: Any, business: Any, n: int = 0) -> int:
    """A few changes "made in QuickBooks": an update, a new bill, a delete and a void (round
    `n` picks other records than the rounds before it)."""
    from django_tenants.utils import tenant_context

    from apps.ap.models import Vendor
    from apps.ar.models import Invoice, Payment
    from apps.bank.models import Purchase
    from tests.integrations.sync.qbo_company import control

    with tenant_context(business):
        invoice = Invoice.objects.filter(is_deleted=False).order_by("qbo_id")[n:n + 1].first()
        vendor = Vendor.objects.filter(is_deleted=False).order_by("qbo_id")[n:n + 1].first()
        purchase = Purchase.objects.filter(is_deleted=False).order_by("qbo_id").first()
        payment = Payment.objects.filter(is_deleted=False).order_by("qbo_id").first()
    changes = 0
    if invoice:
        control(sb, "mutate", {"entity": "Invoice", "id": invoice.qbo_id,
                               "set": {"DueDate": f"2026-12-{1 + n % 28:02d}"}})
        changes += 1
    if vendor:
        control(sb, "mutate", {"entity": "Bill", "operation": "create", "object": {
            "VendorRef": {"value": vendor.qbo_id}, "TxnDate": "2026-11-20",
            "DueDate": "2026-12-20",
            "Line": [{"Amount": 42.5 + n, "DetailType": "AccountBasedExpenseLineDetail",
                      "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "1"}}}]}})
        changes += 1
    if purchase:
        control(sb, "mutate", {"entity": "Purchase", "id": purchase.qbo_id,
                               "operation": "delete"})
        changes += 1
    if payment:
        control(sb, "mutate", {"entity": "Payment", "id": payment.qbo_id, "operation": "void"})
        changes += 1
    return changes


def _faults(stats: dict) -> tuple[int, int, int]:
    return stats.get("throttled", 0), stats.get("errors_injected", 0), stats.get("api_requests", 0)


def _incremental_rounds(business: Any, sb: Any, rounds: int) -> dict[str, Any]:
    """Rounds of QBO changes + an incremental sync under INCREMENTAL_FAULTS; the faults that
    land during the syncs themselves are counted (sandbox stats before and after each)."""
    bad = ("duplicates", "lost", "extra", "stale", "quarantined")
    out: dict[str, Any] = {"changes": 0, "runs": 0, "throttled": 0, "errors": 0, "calls": 0,
                           "problems": {k: 0 for k in bad}, "failed": 0}
    for n in range(rounds):
        out["changes"] += _mutate(sb, business, n)
        sb.set_faults(f"{INCREMENTAL_FAULTS},seed={100 + n}", merge=True)
        before = _faults(sb.stats())
        try:
            inc, tries = _sync(business, full=False, tries=INCREMENTAL_TRIES)
        except Exception:  # still failing after the scheduler's retries: a visible failure
            out["failed"] += 1
            out["runs"] += INCREMENTAL_TRIES
            continue
        after = _faults(sb.stats())
        out["throttled"] += after[0] - before[0]
        out["errors"] += after[1] - before[1]
        out["calls"] += after[2] - before[2]
        out["runs"] += tries
        out["failed"] += inc.state != "succeeded"
        found = compare(business, sb)  # turns the faults off to read QBO's truth
        for k in bad:
            out["problems"][k] += found[k]
    return out


def sync_drill(scale: float, rounds: int) -> tuple[bool, str]:
    from apps.demo.generator import generate_company
    from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
    from apps.tenancy.services import business_provision
    from tests.integrations.sync.qbo_company import start

    started = time.perf_counter()
    business = business_provision(slug=f"faults-sync-{uuid.uuid4().hex[:6]}",
                                  name="Fault drill sync")
    # Six attempts a call: with 429 bursts of 3 and 503s, four attempts made a full sync of the
    # real-books entity set (21 types, twice the calls) fail all of its runs most of the time.
    with overridden(QBO_LIMITER=True, QBO_RETRY_BASE=0.05, QBO_RETRY_CAP=0.5,
                    QBO_RETRY_ATTEMPTS=6), tempfile.TemporaryDirectory() as tmp:
        generate_company(tmp, seed=3, years=1, scale=scale, as_of=date.today())
        sb = start(Path(tmp) / "qbo")  # QBO's own limits on (500/min, 10 in flight)
        try:
            sandbox_connect(business, sb.base_url)
            sb.set_faults(f"{SYNC_FAULTS},seed=11", merge=True)
            full, full_tries = _sync(business, full=True)
            full_stats = _faults(sb.stats())
            after_full = compare(business, sb)
            changes = _mutate(sb, business)
            sb.set_faults(f"{STORM},seed=12", merge=True)
            inc, inc_tries = _sync(business, full=False)
            after_inc = compare(business, sb)
            rounds_out = _incremental_rounds(business, sb, rounds)
        finally:
            sb.stop()
    bad = ("duplicates", "lost", "extra", "stale", "quarantined")
    injected = rounds_out["throttled"] + rounds_out["errors"]
    ok = (full.state == "succeeded" and inc.state == "succeeded"
          and not any(after_full[k] or after_inc[k] for k in bad)
          and not any(rounds_out["problems"].values()) and not rounds_out["failed"]
          and injected >= MIN_INCREMENTAL_FAULTS)
    line = (
        f"full sync {after_full['records']} records in {full_tries} run(s) "
        f"(429={full_stats[0]} 503={full_stats[1]} of {full_stats[2]} calls): "
        + " ".join(f"{k}={after_full[k]}" for k in bad)
        + f"; incremental in a 503 storm after {changes} changes in {inc_tries} run(s): "
        + " ".join(f"{k}={after_inc[k]}" for k in bad)
        + f"; {rounds} incremental rounds ({rounds_out['changes']} changes, "
        f"{rounds_out['runs']} runs, {rounds_out['failed']} rounds failed) with {injected} "
        f"faults injected during the incremental syncs (429={rounds_out['throttled']} "
        f"503={rounds_out['errors']} of "
        f"{rounds_out['calls']} calls, {injected / max(1, rounds_out['calls']):.0%}): "
        + " ".join(f"{k}={v}" for k, v in rounds_out["problems"].items())
        + f" in {time.perf_counter() - started:.1f}s"
    )
    return ok, line


def run(quick: bool) -> tuple[bool, str]:
    pay_ok, pay_line = payments_drill(100 if quick else 1000)
    sync_ok, sync_line = sync_drill(0.3 if quick else 1.0, 14 if quick else 20)
    return pay_ok and sync_ok, f"payments: {pay_line} | sync: {sync_line}"
