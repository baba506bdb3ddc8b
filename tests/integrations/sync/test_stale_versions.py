"""A version of a record older than the one we hold never overwrites it: writers outside the
sync lock (a payment's after-hook re-reading the bill it paid) may store a newer version while a
sync page fetched before it waits to be stored."""

from decimal import Decimal
from types import SimpleNamespace

from django.db import transaction

from apps.ap.ingest import bill_payment_after_action
from apps.ap.models import Bill
from apps.integrations.qbo import writes
from apps.integrations.sync import sinks
from apps.integrations.sync.connection import qbo_client_for
from apps.integrations.sync.models import QboConnection
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.integrations.sync.qbo_company import control
from tests.utils import in_tenant


def test_a_sync_page_fetched_before_a_payment_does_not_reopen_the_paid_bill(sb, synced):
    control(sb, "mutate", {"entity": "Vendor", "id": "56", "set": {"CompanyName": "SaaS Ltd"}})
    control(sb, "mutate", {"entity": "Bill", "id": "101", "set": {"PrivateNote": "edited"}})
    control(sb, "mutate", {"entity": "Bill", "id": "102", "set": {"PrivateNote": "also"}})
    conn = QboConnection.objects.get(business=synced)
    paid = []

    def pay_bill_101(entity, _n):
        # Vendors are stored before bills: the CDC (bill 101 at balance 500) is already
        # fetched, its bills not yet stored. The payment and its after-hook happen now.
        if entity != "Vendor" or paid:
            return
        client = qbo_client_for(conn)
        body = writes.bill_payment(vendor="56", bank_account="35", txn_date="2026-11-01",
                                   links=[writes.Link(Decimal("500.00"), "Bill", "101")],
                                   total=Decimal("500.00"), note="race")
        created = client.create("BillPayment", body, request_id="stale-version-1")
        ctx = sinks.SinkContext(business=synced, realm_id=conn.realm_id, client=client)
        with transaction.atomic():
            bill_payment_after_action(ctx, SimpleNamespace(result=created))
        bill = Bill.objects.get(qbo_id="101")
        paid.append((bill.balance, bill.status, bill.synced_at))

    run = qbo_sync_run(synced, progress=pay_bill_101)

    assert run.state == "succeeded"
    assert paid and paid[0][:2] == (Decimal("0.00"), Bill.Status.PAID)
    with in_tenant(synced):
        bill = Bill.objects.get(qbo_id="101")
        assert (bill.balance, bill.status) == (Decimal("0.00"), Bill.Status.PAID)
        assert bill.synced_at == paid[0][2]  # the stale copy did not touch it
        assert bill.memo == "edited"  # the hook's version (newer) has the edit too
        assert Bill.objects.get(qbo_id="102").memo == "also"  # the rest of the page stored
    again = qbo_sync_run(synced)  # and the next sync (the newer version again) changes nothing
    assert again.state == "succeeded"
    with in_tenant(synced):
        assert Bill.objects.get(qbo_id="101").status == Bill.Status.PAID
