"""QBO fault drill (docs/reliability.md, "Nothing lost, no duplicate payments").

(a) Payments: N bill payments through the outbox while the sandbox answers ~30% of requests
    with a 503, a timeout, a commit-then-drop or a 429 (the core is
    ``tests.bench.qbo_fault_drill.run_drill``): exactly one BillPayment in QBO per succeeded
    action, none per failed one, none left in between.
(b) Sync: a full sync of a generated agency while the sandbox throws 429 bursts and 503 storms
    (its QBO limits and our Redis limiter both on): it completes, every entity type holds
    exactly the sandbox's records (same ids, same SyncTokens, no duplicates, nothing lost,
    quarantine empty); then a few changes in QBO and an incremental sync under the same faults
    converge too.
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


def _models() -> dict[str, Any]:
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
        for entity, model in _models().items():
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


def _sync(business: Any, full: bool) -> tuple[Any, int]:
    """Run a sync; a failed run is retried like the scheduler would, at most MAX_SYNC_TRIES."""
    from apps.integrations.sync.qbo_sync import qbo_sync_run

    for attempt in range(1, MAX_SYNC_TRIES + 1):
        try:
            return qbo_sync_run(business, full=full), attempt
        except Exception:
            if attempt == MAX_SYNC_TRIES:
                raise
    raise AssertionError("unreachable")


def _mutate(sb: Any, business: Any) -> int:
    """A few changes "made in QuickBooks": an update, a new bill, a delete and a void."""
    from django_tenants.utils import tenant_context

    from apps.ap.models import Vendor
    from apps.ar.models import Invoice, Payment
    from apps.bank.models import Purchase
    from tests.integrations.sync.qbo_company import control

    with tenant_context(business):
        invoice = Invoice.objects.filter(is_deleted=False).order_by("qbo_id").first()
        vendor = Vendor.objects.filter(is_deleted=False).order_by("qbo_id").first()
        purchase = Purchase.objects.filter(is_deleted=False).order_by("qbo_id").first()
        payment = Payment.objects.filter(is_deleted=False).order_by("qbo_id").first()
    changes = 0
    if invoice:
        control(sb, "mutate", {"entity": "Invoice", "id": invoice.qbo_id,
                               "set": {"DueDate": "2026-12-24"}})
        changes += 1
    if vendor:
        control(sb, "mutate", {"entity": "Bill", "operation": "create", "object": {
            "VendorRef": {"value": vendor.qbo_id}, "TxnDate": "2026-11-20",
            "DueDate": "2026-12-20",
            "Line": [{"Amount": 42.5, "DetailType": "AccountBasedExpenseLineDetail",
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


def sync_drill(scale: float) -> tuple[bool, str]:
    from apps.demo.generator import generate_company
    from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
    from apps.tenancy.services import business_provision
    from tests.integrations.sync.qbo_company import start

    started = time.perf_counter()
    business = business_provision(slug=f"faults-sync-{uuid.uuid4().hex[:6]}",
                                  name="Fault drill sync")
    with overridden(QBO_LIMITER=True, QBO_RETRY_BASE=0.05, QBO_RETRY_CAP=0.5), \
            tempfile.TemporaryDirectory() as tmp:
        generate_company(tmp, seed=3, years=1, scale=scale, as_of=date.today())
        sb = start(Path(tmp) / "qbo")  # QBO's own limits on (500/min, 10 in flight)
        try:
            sandbox_connect(business, sb.base_url)
            sb.set_faults(f"{SYNC_FAULTS},seed=11", merge=True)
            full, full_tries = _sync(business, full=True)
            after_full = compare(business, sb)
            changes = _mutate(sb, business)
            sb.set_faults(f"{STORM},seed=12", merge=True)
            inc, inc_tries = _sync(business, full=False)
            after_inc = compare(business, sb)
            stats = sb.stats()
        finally:
            sb.stop()
    bad = ("duplicates", "lost", "extra", "stale", "quarantined")
    ok = (full.state == "succeeded" and inc.state == "succeeded"
          and not any(after_full[k] or after_inc[k] for k in bad))
    line = (
        f"full sync {after_full['records']} records in {full_tries} run(s): "
        + " ".join(f"{k}={after_full[k]}" for k in bad)
        + f"; incremental after {changes} changes in {inc_tries} run(s): "
        + " ".join(f"{k}={after_inc[k]}" for k in bad)
        + f"; injected 429={stats.get('throttled', 0)} 503={stats.get('errors_injected', 0)}"
        f" of {stats.get('api_requests', 0)} calls in {time.perf_counter() - started:.1f}s"
    )
    return ok, line


def run(quick: bool) -> tuple[bool, str]:
    pay_ok, pay_line = payments_drill(100 if quick else 1000)
    sync_ok, sync_line = sync_drill(0.3 if quick else 1.0)
    return pay_ok and sync_ok, f"payments: {pay_line} | sync: {sync_line}"
