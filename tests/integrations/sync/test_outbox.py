"""The outbox against the real sandbox: idempotent keys, commit-then-drop, validation
failures, reconciliation of unknown actions and drift, and a 100-action fault drill."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.ap.models import Bill, BillPayment
from apps.core.models import AuditEvent
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.models import Action, QboConnection
from apps.integrations.sync.outbox import (
    NOTE_PREFIX,
    STALE_AFTER,
    action_create,
    action_execute,
    action_reconcile,
)
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.bench.qbo_fault_drill import run_drill
from tests.integrations.sync.qbo_company import control, sandbox_rows, start, write_company
from tests.utils import in_tenant

PAY_101 = {"vendor": "56", "bill": "101", "amount": "200.00", "bank_account": "35",
           "date": "2026-11-20"}


@pytest.fixture
def sb(tmp_path):
    handle = start(write_company(tmp_path / "co", extra_bills=100))
    yield handle
    handle.stop()


@pytest.fixture
def business(sb, tenant_a, settings):
    settings.QBO_RETRY_BASE = 0.01
    settings.QBO_RETRY_CAP = 0.05
    sandbox_connect(tenant_a, sb.base_url)
    qbo_sync_run(tenant_a, full=True)
    return tenant_a


def payments_for(sb, key):
    return [r for r in sandbox_rows(sb, "BillPayment")
            if r.get("PrivateNote") == f"{NOTE_PREFIX}{key}"]


def test_same_key_twice_gives_one_action(business):
    first = action_create(business, "bill_payment.create", PAY_101, key="pay-101-once",
                          enqueue=False)
    again = action_create(business, "bill_payment.create", PAY_101, key="pay-101-once",
                          enqueue=False)
    assert first.pk == again.pk
    assert Action.objects.filter(key="pay-101-once").count() == 1
    assert len(action_create(business, "invoice.send", {"invoice": "201"}, enqueue=False).key) <= 36


def test_action_is_enqueued_on_commit_in_the_business_schema(
    business, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = action_create(business, "invoice.send", {"invoice": "201"})
        assert published == []  # nothing leaves before the commit
    assert [(p["task"], list(p["args"]), p["schema"]) for p in published] == [
        ("sync.action_execute", [action.pk], "alpha")]


def test_commit_then_drop_ends_succeeded_with_exactly_one_payment(business, sb):
    action = action_create(business, "bill_payment.create", PAY_101, enqueue=False)
    sb.set_faults("drop=1.0")  # QBO commits, then every answer is lost on the way back
    action = action_execute(action)
    assert action.state == "unknown"  # committed? we cannot know yet
    sb.set_faults("drop=0")
    assert len(payments_for(sb, action.key)) == 1  # the first attempt committed; retries replayed
    action = action_reconcile(action)
    assert action.state == "succeeded", action.error
    assert len(payments_for(sb, action.key)) == 1
    assert action.external_id == payments_for(sb, action.key)[0]["Id"]
    assert sb.stats()["drops"] >= 1
    with in_tenant(business):
        # The after-action hook re-read the bill: the domain reflects the payment at once.
        assert Bill.objects.get(qbo_id="101").balance == Decimal("300.00")
        assert BillPayment.objects.filter(qbo_id=action.external_id).exists()
    assert action_execute(action).attempts == action.attempts  # done: a no-op


def test_validation_failure_is_failed_with_a_readable_reason(business, sb):
    bad = dict(PAY_101, bill="99999")
    action = action_execute(action_create(business, "bill_payment.create", bad, enqueue=False))
    assert action.state == "failed"
    assert "QuickBooks refused it" in action.error and "99999" in action.error
    assert payments_for(sb, action.key) == []
    assert action_execute(action).state == "failed"  # no-op
    nonsense = dict(PAY_101, amount="lots")
    action = action_execute(action_create(business, "bill_payment.create", nonsense,
                                          enqueue=False))
    assert action.state == "failed" and "amount is not an amount" in action.error
    undated = {k: v for k, v in PAY_101.items() if k != "date"}
    action = action_execute(action_create(business, "bill_payment.create", undated,
                                          enqueue=False))
    assert action.state == "failed" and "date must be a date" in action.error
    assert payments_for(sb, action.key) == []
    rateless = dict(PAY_101, currency="CAD", exchange_rate="about 0.73")
    action = action_execute(action_create(business, "bill_payment.create", rateless,
                                          enqueue=False))
    assert action.state == "failed" and "exchange_rate must be positive" in action.error
    assert payments_for(sb, action.key) == []


def test_unknown_action_is_reconciled_and_drift_is_flagged(business, sb):
    sb.set_faults("timeout=1.0,hold=0.02")  # no answer at all, nothing applied
    action = action_execute(action_create(business, "bill_payment.create", PAY_101,
                                          enqueue=False))
    assert action.state == "unknown"
    sb.set_faults("timeout=0")
    assert payments_for(sb, action.key) == []
    action = action_reconcile(action)
    assert action.state == "succeeded" and len(payments_for(sb, action.key)) == 1
    assert action_reconcile(action).state == "succeeded"  # nothing to do any more
    assert len(payments_for(sb, action.key)) == 1

    # Someone deletes the payment in QBO: our "succeeded" no longer matches QBO.
    control(sb, "mutate", {"entity": "BillPayment", "id": action.external_id,
                           "operation": "delete"})
    action = action_reconcile(action, check_succeeded=True)
    assert action.drift and "no longer in QuickBooks" in action.error
    assert AuditEvent.objects.filter(business=business, action="action.drift").exists()
    business.refresh_from_db()
    assert action.key in business.last_error


def test_a_failed_lookup_never_sends_again(business, sb):
    """The reconciler re-sends only what it looked for and did not find. Here QuickBooks has
    the payment (its answer was lost) and the lookup fails (the link was revoked): the action
    stays unknown, saying why. After the reconnect QuickBooks has forgotten the requestid, so
    only the lookup stands between a re-send and a second payment."""
    action = action_create(business, "bill_payment.create", PAY_101, enqueue=False)
    sb.set_faults("drop=1.0")
    assert action_execute(action).state == "unknown"
    sb.set_faults("drop=0")
    control(sb, "tokens", {"action": "revoke_all"})
    control(sb, "tokens", {"action": "expire_access"})
    action = action_reconcile(action)
    assert action.state == "unknown" and "Could not look it up" in action.error
    control(sb, "reset", {})  # forgets every requestid it answered
    sandbox_connect(business, sb.base_url)
    action = action_reconcile(action)
    assert action.state == "succeeded", action.error
    assert len(payments_for(sb, action.key)) == 1


def test_a_sent_action_belongs_to_its_sender_until_it_is_stale(business, sb):
    action = action_create(business, "bill_payment.create", PAY_101, enqueue=False)
    Action.objects.filter(pk=action.pk).update(state="sent")  # a worker is sending it now
    assert action_reconcile(action).state == "sent"  # a staff retry or a second task waits
    assert payments_for(sb, action.key) == []
    Action.objects.filter(pk=action.pk).update(
        updated_at=timezone.now() - STALE_AFTER - timedelta(seconds=1))  # that worker died
    action = action_reconcile(action)
    assert action.state == "succeeded" and len(payments_for(sb, action.key)) == 1


def test_nothing_is_sent_while_quickbooks_is_disconnected(business, sb):
    """Nothing left, so nothing is unknown: the action waits, and goes once reconnected."""
    QboConnection.objects.filter(business=business).update(
        status=QboConnection.Status.DISCONNECTED)
    action = action_execute(action_create(business, "bill_payment.create", PAY_101,
                                          enqueue=False))
    assert action.state == "pending" and "not connected" in action.error
    lost = action_create(business, "bill_payment.create", dict(PAY_101, bill="102"),
                         enqueue=False)
    Action.objects.filter(pk=lost.pk).update(state="unknown")  # sent before the disconnect
    lost = action_reconcile(lost)  # cannot look: it stays unknown and says why
    assert lost.state == "unknown" and "not connected" in lost.error
    sandbox_connect(business, sb.base_url)
    assert action_reconcile(action).state == "succeeded"
    assert action_reconcile(lost).state == "succeeded"
    assert len(payments_for(sb, action.key)) == len(payments_for(sb, lost.key)) == 1


def test_fault_drill_100_actions_exactly_one_payment_each(business, sb):
    result = run_drill(business, sb, 100)
    assert result.ok, result.verdict()
    assert result.states["succeeded"] == 100
    injected = (result.faults["errors_injected"] + result.faults["timeouts"]
                + result.faults["drops"] + result.faults["throttled"])
    assert injected >= 15, result.verdict()
