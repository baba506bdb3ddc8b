"""Connect → full sync → CDC / webhook / quarantine, against the real QBO sandbox over HTTP and
the real Postgres/Redis. Nothing of ours is patched."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.ap.models import Bill, BillPayment, Vendor
from apps.ar.models import CreditMemo, Invoice, Payment
from apps.bank.models import Account, Deposit, Purchase, Transfer
from apps.core.models import AuditEvent
from apps.integrations.qbo.errors import AuthenticationError
from apps.integrations.sync.connection import connection_needs_reconnect
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.models import QboConnection, QuarantinedRecord, SyncRun
from apps.integrations.sync.qbo_sync import SYNC_ORDER, qbo_fetch_changed, qbo_sync_run
from apps.sandboxes.qbo import sign_webhook_body
from tests.integrations.sync.qbo_company import control, start, write_company
from tests.utils import client_for, in_tenant

VERIFIER = "test-verifier-token"


@pytest.fixture(autouse=True)
def _verifier(settings):
    """This module's webhooks are signed with a known verifier (sb / synced: the conftest's)."""
    settings.QBO_WEBHOOK_VERIFIER_TOKEN = VERIFIER


def test_connect_command_stores_encrypted_tokens_and_full_sync_matches_company(sb, synced):
    conn = QboConnection.objects.get(business=synced)
    assert conn.realm_id == sb.realm and conn.company_name == "Sandbox Agency"
    assert conn.status == "connected" and conn.access_token and conn.refresh_token
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM sync_qboconnection WHERE id = %s", [conn.pk])
        assert cursor.fetchone()[0] != conn.access_token  # ciphertext at rest
    assert synced.currency == "CAD" and synced.last_sync_at is not None
    assert synced.token_expires_at is not None
    assert AuditEvent.objects.filter(business=synced, action="qbo.connect").exists()
    run = SyncRun.objects.filter(business=synced).first()
    assert run.kind == "full" and run.state == "succeeded" and run.quarantined == 0
    assert run.entities["Bill"] == 3 and run.entities["Invoice"] == 3

    with in_tenant(synced):
        open_bills = {b.qbo_id: b.balance for b in Bill.objects.open()}
        assert open_bills == {"101": Decimal("500.00"), "102": Decimal("700.00")}
        assert Bill.objects.get(qbo_id="103").status == Bill.Status.PAID
        assert Bill.objects.get(qbo_id="101").vendor.display_name == "SaaS Co"
        open_invoices = {i.qbo_id: i.balance for i in Invoice.objects.open()}
        assert open_invoices == {"201": Decimal("1000.00"), "203": Decimal("150.00")}
        paid = Invoice.objects.get(qbo_id="202")
        assert paid.paid_date == date(2026, 10, 15)  # the later of its two payments
        assert Invoice.objects.get(qbo_id="203").paid_date is None
        links = sorted((line.invoice.qbo_id, line.amount)
                       for p in Payment.objects.all() for line in p.lines.all())
        assert links == [("202", Decimal("300.00")), ("202", Decimal("500.00")),
                         ("203", Decimal("250.00"))]
        bp = BillPayment.objects.get(qbo_id="301")
        assert bp.account.name == "Checking" and bp.lines.get().bill.qbo_id == "102"
        assert CreditMemo.objects.get(qbo_id="501").balance == Decimal("100.00")
        card = Purchase.objects.get(qbo_id="601")
        assert card.account.account_type == Account.Type.CREDIT_CARD
        assert card.counterparty == "SaaS Co"
        assert Purchase.objects.get(qbo_id="602").account.account_type == Account.Type.BANK
        transfer = Transfer.objects.get(qbo_id="701")
        assert (transfer.from_account.name, transfer.to_account.name) == ("Checking", "Savings")
        assert Deposit.objects.get(qbo_id="801").total == Decimal("250.00")
        assert set(Account.objects.in_runway().values_list("name", flat=True)) == {
            "Checking", "Savings"}
        assert Vendor.objects.count() == 2


def test_incremental_sync_without_changes_costs_at_most_one_request_per_type(sb, synced):
    before = control(sb, "stats")["api_requests"]
    run = qbo_sync_run(synced)
    after = control(sb, "stats")["api_requests"]
    assert run.kind == "incremental" and run.state == "succeeded"
    assert run.requests == after - before
    assert run.requests <= len(SYNC_ORDER)
    assert run.requests == 1  # one CDC call covers every entity type
    assert sum(run.entities.values()) == 0


def test_changes_and_deletes_arrive_by_cdc(sb, synced):
    control(sb, "mutate", {"entity": "Invoice", "id": "201", "set": {"DueDate": "2026-12-24"}})
    control(sb, "mutate", {"entity": "Purchase", "id": "602", "operation": "delete"})
    run = qbo_sync_run(synced)
    assert run.kind == "incremental" and run.entities.get("Invoice") == 1
    with in_tenant(synced):
        assert Invoice.objects.get(qbo_id="201").due_date == date(2026, 12, 24)
        assert Purchase.objects.get(qbo_id="602").is_deleted


def test_stale_changes_since_falls_back_to_a_full_sync(sb, synced):
    QboConnection.objects.filter(business=synced).update(
        changes_since=timezone.now() - timedelta(days=45)
    )
    run = qbo_sync_run(synced)
    # Past CDC's 30 days only a complete read shows deletes (test_sync_deletions.py).
    assert run.kind == "full" and run.state == "succeeded"
    assert run.entities["Bill"] == 3
    assert qbo_sync_run(synced).requests == 1  # changes_since moved on: CDC again


def _cloudevents(realm, entity, qbo_id, verb):
    return json.dumps([{
        "specversion": "1.0", "id": f"evt-{qbo_id}", "source": "intuit.test",
        "type": f"qbo.{entity.lower()}.{verb}.v1", "datacontenttype": "application/json",
        "time": timezone.now().isoformat(), "intuitentityid": qbo_id,
        "intuitaccountid": realm, "data": {},
    }]).encode()


def _legacy(realm, entity, qbo_id, operation):
    return json.dumps({"eventNotifications": [{"realmId": realm, "dataChangeEvent": {
        "entities": [{"name": entity, "id": qbo_id, "operation": operation,
                      "lastUpdated": timezone.now().isoformat()}]}}]}).encode()


def _post_webhook(client, body, signature):
    headers = {"HTTP_INTUIT_SIGNATURE": signature} if signature else {}
    return client.post("/webhooks/qbo/", data=body, content_type="application/json", **headers)


def test_webhook_verifies_then_enqueues_a_targeted_fetch(sb, synced, published):
    client = client_for(None)  # the public host
    control(sb, "mutate", {"entity": "Bill", "id": "101", "set": {"DueDate": "2026-12-01"}})
    control(sb, "mutate", {"entity": "Transfer", "id": "701", "operation": "delete"})
    body = _cloudevents(sb.realm, "Bill", "101", "updated")
    resp = _post_webhook(client, body, sign_webhook_body(body, VERIFIER))
    assert resp.status_code == 200
    legacy = _legacy(sb.realm, "Transfer", "701", "Delete")
    assert _post_webhook(client, legacy, sign_webhook_body(legacy, VERIFIER)).status_code == 200

    fetches = [p for p in published if p["task"] == "sync.qbo_fetch_changed"]
    assert [f["schema"] for f in fetches] == ["alpha", "alpha"]
    changes = [c for f in fetches for c in f["args"][0]]
    assert {(c["entity"], c["id"], c["operation"]) for c in changes} == {
        ("Bill", "101", "Update"), ("Transfer", "701", "Delete")}

    run = qbo_fetch_changed(synced, changes)  # what the task calls
    # One query for the Bill ids, one asking QBO whether Transfer 701 is really gone.
    assert run.kind == "webhook" and run.requests == 2
    with in_tenant(synced):
        assert Bill.objects.get(qbo_id="101").due_date == date(2026, 12, 1)
        assert Transfer.objects.get(qbo_id="701").is_deleted


def test_signed_but_forged_delete_of_a_live_object_deletes_nothing(sb, synced, published):
    """Someone holding the verifier token announces that Bill 102 and Vendor 56 were deleted;
    QBO still has them, so nothing is deleted (and what QBO says is stored)."""
    with in_tenant(synced):
        before = Bill.objects.get(qbo_id="102")
        assert not before.is_deleted
    body = json.dumps({"eventNotifications": [{"realmId": sb.realm, "dataChangeEvent": {
        "entities": [{"name": "Bill", "id": "102", "operation": "Delete"},
                     {"name": "Vendor", "id": "56", "operation": "Delete"}]}}]}).encode()
    response = _post_webhook(client_for(None), body, sign_webhook_body(body, VERIFIER))
    assert response.status_code == 200
    changes = [c for p in published if p["task"] == "sync.qbo_fetch_changed" for c in p["args"][0]]
    assert {(c["entity"], c["id"], c["operation"]) for c in changes} == {
        ("Bill", "102", "Delete"), ("Vendor", "56", "Delete")}
    run = qbo_fetch_changed(synced, changes)
    assert run.state == "succeeded"
    with in_tenant(synced):
        after = Bill.objects.get(qbo_id="102")
        assert not after.is_deleted and after.balance == before.balance
        assert not Vendor.objects.get(qbo_id="56").is_deleted


def test_a_replayed_webhook_enqueues_nothing_more(sb, synced, published):
    client = client_for(None)
    cloud = _cloudevents(sb.realm, "Bill", "101", "updated")
    legacy = _legacy(sb.realm, "Invoice", "201", "Update")
    for body in (cloud, legacy):
        first = _post_webhook(client, body, sign_webhook_body(body, VERIFIER))
        assert first.json() == {"ok": True, "businesses": 1, "replayed": 0}
        for _ in range(3):
            again = _post_webhook(client, body, sign_webhook_body(body, VERIFIER))
            assert again.status_code == 200 and again.json()["replayed"] == 1
    assert len([p for p in published if p["task"] == "sync.qbo_fetch_changed"]) == 2


@pytest.mark.parametrize("signature", [None, "bm90LXRoZS1zaWduYXR1cmU="])
def test_webhook_with_bad_signature_is_refused_and_enqueues_nothing(
    sb, synced, published, signature
):
    client = client_for(None)
    body = _cloudevents(sb.realm, "Bill", "101", "updated")
    assert _post_webhook(client, body, signature).status_code == 401
    tampered = body.replace(b"101", b"102")
    assert _post_webhook(client, tampered, sign_webhook_body(body, VERIFIER)).status_code == 401
    assert published == []


def test_malformed_records_are_quarantined_and_resolved_by_a_later_good_version(
    tmp_path, tenant_a, fast_retry
):
    sb = start(write_company(tmp_path / "bad", malformed=True))
    try:
        sandbox_connect(tenant_a, sb.base_url)
        run = qbo_sync_run(tenant_a, full=True, entities=[*SYNC_ORDER, "Estimate"])
        assert run.state == "succeeded" and run.quarantined == 5
        reasons = dict(QuarantinedRecord.objects.filter(business=tenant_a)
                       .values_list("external_id", "reason"))
        assert "TotalAmt is not a number: 'twelve'" in reasons["901"]
        assert "TxnDate '3024-01-01' is outside 1900–2100" in reasons["902"]
        assert "missing VendorRef" in reasons["903"]
        assert "VendorRef 999 is not a known vendor" in reasons["904"]
        assert "no parser for entity type 'Estimate'" in reasons["950"]
        assert QuarantinedRecord.objects.get(external_id="904").payload["TotalAmt"] == 75
        with in_tenant(tenant_a):
            assert set(Bill.objects.values_list("qbo_id", flat=True)) == {"101", "102", "103"}

        control(sb, "mutate",
                {"entity": "Bill", "id": "904", "set": {"VendorRef": {"value": "57"}}})
        qbo_sync_run(tenant_a)
        fixed = QuarantinedRecord.objects.get(business=tenant_a, external_id="904")
        assert fixed.resolved_at is not None
        assert QuarantinedRecord.objects.get(external_id="901").resolved_at is None
        with in_tenant(tenant_a):
            assert Bill.objects.get(qbo_id="904").vendor.display_name == "Rent LLC"
    finally:
        sb.stop()


def test_expired_access_token_is_refreshed_and_the_rotated_refresh_token_stored(sb, synced):
    conn = QboConnection.objects.get(business=synced)
    old_refresh = conn.refresh_token
    control(sb, "tokens", {"action": "expire_access"})
    run = qbo_sync_run(synced)  # 401 → refresh once → retry
    assert run.state == "succeeded"
    conn.refresh_from_db()
    assert conn.refresh_token != old_refresh
    assert not connection_needs_reconnect(conn)


def test_needs_reconnect_before_hard_expiry_and_after_refused_refresh(sb, synced):
    conn = QboConnection.objects.get(business=synced)
    conn.refresh_expires_at = timezone.now() + timedelta(days=10)
    assert connection_needs_reconnect(conn)
    control(sb, "tokens", {"action": "revoke_all"})
    control(sb, "tokens", {"action": "expire_access"})
    with pytest.raises(AuthenticationError):
        qbo_sync_run(synced)
    conn.refresh_from_db()
    assert conn.status == QboConnection.Status.NEEDS_RECONNECT
    synced.refresh_from_db()
    assert "reconnect" in synced.last_error.lower() or "failed" in synced.last_error.lower()
    assert SyncRun.objects.filter(business=synced).first().state == "failed"


def test_dispatchers_enqueue_due_syncs_and_open_actions_in_the_business_schema(
    sb, synced, published
):
    from apps.integrations.sync.models import Action
    from apps.integrations.sync.tasks import actions_reconcile_dispatch_task, sync_dispatch_task

    type(synced).objects.filter(pk=synced.pk).update(last_sync_at=timezone.now())
    assert sync_dispatch_task() == 0  # just synced: not due
    type(synced).objects.filter(pk=synced.pk).update(
        last_sync_at=timezone.now() - timedelta(hours=9)
    )
    assert sync_dispatch_task() == 1
    action = Action.objects.create(business=synced, key="dispatch-unknown", kind="invoice.send",
                                   payload={"invoice": "201"}, state="unknown")
    assert actions_reconcile_dispatch_task() >= 1
    sent = [(p["task"], p["schema"]) for p in published]
    assert ("sync.qbo_sync_business", "alpha") in sent
    assert any(p["task"] == "sync.action_reconcile" and list(p["args"]) == [action.pk]
               for p in published)


def test_sync_command_prints_progress_and_the_run(sb, synced):
    from io import StringIO

    out = StringIO()
    call_command("sync", "alpha", "--full", stdout=out)
    text = out.getvalue()
    assert "full sync succeeded" in text and "records" in text
    assert "Bill" in text


def test_a_webhook_naming_many_ids_is_fetched_in_chunks_of_100(sb, synced):
    """QBO webhooks may batch hundreds of changes: `Id IN (…)` lists go 100 at a time."""
    changes = [{"entity": "Bill", "id": str(5000 + i), "operation": "Update"} for i in range(249)]
    changes.append({"entity": "Bill", "id": "101", "operation": "Update"})
    control(sb, "mutate", {"entity": "Bill", "id": "101", "set": {"DueDate": "2026-12-02"}})
    run = qbo_fetch_changed(synced, changes)
    assert run.state == "succeeded" and run.requests == 3  # 250 ids → 100 + 100 + 50
    with in_tenant(synced):
        assert Bill.objects.get(qbo_id="101").due_date == date(2026, 12, 2)


def test_a_sync_writes_the_business_s_public_summary_row(sb, synced):
    """The tray's sync finaliser refreshes the summary row cross-business pages read."""
    from apps.runway.services import runway_compute
    from apps.tenancy.models import BusinessSummary

    row = BusinessSummary.objects.get(business=synced)
    result = runway_compute(synced)
    assert (row.currency, row.cash, row.available) == ("CAD", result.cash, result.available)
    assert row.tray_waiting is not None and row.refresh_error == ""
    before = row.updated_at
    qbo_sync_run(synced)  # an incremental run refreshes it again
    assert BusinessSummary.objects.get(business=synced).updated_at > before
