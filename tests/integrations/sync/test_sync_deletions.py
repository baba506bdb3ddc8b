"""Deletes in QBO that CDC cannot report (a gap past its 30 days, or one it missed): a full
listing reveals them. Real sandbox, Postgres and Redis; nothing of ours is patched."""

import time
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.ap.models import Bill
from apps.bank.models import Purchase
from apps.integrations.sync.models import QboConnection, QuarantinedRecord
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.integrations.sync.qbo_company import control
from tests.utils import in_tenant


def _open_bills(business) -> set[str]:
    with in_tenant(business):
        return set(Bill.objects.open().values_list("qbo_id", flat=True))


def test_a_bill_deleted_during_a_five_week_gap_is_deleted_by_the_next_sync(sb,
                                                                             synced):
    control(sb, "mutate", {"entity": "Bill", "id": "101", "operation": "delete"})
    QboConnection.objects.filter(business=synced).update(
        changes_since=timezone.now() - timedelta(days=35))
    run = qbo_sync_run(synced)
    assert (run.kind, run.state) == ("full", "succeeded")  # CDC cannot look back that far
    assert _open_bills(synced) == {"102"}
    with in_tenant(synced):
        assert Bill.objects.get(qbo_id="101").is_deleted
    assert qbo_sync_run(synced).requests == 1  # back on CDC
    assert qbo_sync_run(synced, full=True).state == "succeeded"
    assert _open_bills(synced) == {"102"}


def test_a_full_sync_repairs_a_delete_cdc_missed_and_an_incremental_one_does_not(
        sb, synced):
    control(sb, "mutate", {"entity": "Bill", "id": "101", "operation": "delete"})
    control(sb, "mutate", {"entity": "Purchase", "id": "602", "operation": "delete"})
    time.sleep(1.1)  # CDC's changedSince has whole seconds
    # The deletes happened before the CDC window: CDC will never report them.
    QboConnection.objects.filter(business=synced).update(changes_since=timezone.now())
    assert qbo_sync_run(synced).kind == "incremental"
    assert _open_bills(synced) == {"101", "102"}  # an incremental run sweeps nothing
    run = qbo_sync_run(synced, full=True)
    assert run.state == "succeeded"
    assert _open_bills(synced) == {"102"}
    with in_tenant(synced):
        assert Purchase.objects.get(qbo_id="602").is_deleted
        assert not Purchase.objects.get(qbo_id="601").is_deleted


def test_a_full_sync_keeps_what_it_could_not_store_and_what_awaits_its_first_push(
        sb, synced):
    realm = QboConnection.objects.get(business=synced).realm_id
    with in_tenant(synced):
        pending = Bill.objects.create(  # made from a document, not in QBO yet (outbox)
            realm_id=realm, qbo_id="pending-doc-1", vendor=Bill.objects.get(qbo_id="101").vendor,
            txn_date="2026-11-01", total=Decimal("40.00"), balance=Decimal("40.00"),
            home_total=Decimal("40.00"), home_balance=Decimal("40.00"))
    control(sb, "mutate",  # a version we cannot store: quarantined, kept as it was
            {"entity": "Bill", "id": "102", "set": {"TxnDate": "3024-01-01"}})
    run = qbo_sync_run(synced, full=True)
    assert (run.state, run.quarantined) == ("succeeded", 1)
    assert QuarantinedRecord.objects.filter(external_id="102", resolved_at=None).exists()
    assert _open_bills(synced) == {"101", "102", pending.qbo_id}
