"""A refused or drifting payment and a bank login needing repair reach the owner from the task
that finds them — the outbox and the bank feed enqueue `alerts.evaluate` by name for that
business once their write commits — not at the next hourly tick; still one alert per kind a
day (the evaluation's unique key)."""

import pytest
from celery.signals import before_task_publish
from django.core import mail

from apps.alerts.models import Alert, Kind
from apps.alerts.services import alerts_evaluate
from apps.alerts.tasks import alerts_evaluate_task
from apps.bank.services.feed_items import item_status_set
from apps.bank.webhooks import handle_webhook
from apps.core.enqueue import ALERTS_EVALUATE
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.outbox import action_create, action_execute, action_reconcile
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.alerts.conftest import prefs_set
from tests.factories import PlaidItemFactory
from tests.integrations.sync.qbo_company import control, start, write_company
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db

PAY_101 = {"vendor": "56", "bill": "101", "amount": "200.00", "bank_account": "35",
           "date": "2026-11-20"}


@pytest.fixture
def published(memory_broker):
    sent: list[tuple[str, str]] = []

    def record(sender=None, headers=None, **_kw):
        sent.append((sender, (headers or {}).get("_schema_name")))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


@pytest.fixture
def books(tmp_path, tenant_a, owner_a, settings):
    settings.QBO_RETRY_BASE = 0.01
    settings.QBO_RETRY_CAP = 0.05
    sb = start(write_company(tmp_path / "co"))
    sandbox_connect(tenant_a, sb.base_url)
    qbo_sync_run(tenant_a, full=True)
    prefs_set(tenant_a, disabled_kinds=[k for k in Kind.values if k != Kind.PAYMENT_PROBLEM])
    yield sb
    sb.stop()


def run_enqueued(business) -> dict:
    """Run the evaluation the detecting task enqueued, as a worker would (its task, in the
    business's schema)."""
    with in_tenant(business):
        return alerts_evaluate_task.apply().get()


def test_a_refused_payment_enqueues_the_evaluation_at_once_and_alerts_once(
        books, tenant_a, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ok = action_execute(action_create(tenant_a, "bill_payment.create", PAY_101,
                                          enqueue=False))
    assert ok.state == "succeeded" and published == []  # a success alerts nobody
    with django_capture_on_commit_callbacks(execute=True):
        bad = action_execute(action_create(tenant_a, "bill_payment.create",
                                           dict(PAY_101, bill="99999"), enqueue=False))
    assert bad.state == "failed"
    assert published == [(ALERTS_EVALUATE, "alpha")]
    assert run_enqueued(tenant_a)["claimed"] == [Kind.PAYMENT_PROBLEM]
    assert mail.outbox[-1].subject == "A payment needs your attention"
    assert alerts_evaluate(tenant_a).claimed == []  # the hourly tick after it: nothing more


def test_a_drifting_payment_enqueues_the_evaluation_at_once(
        books, tenant_a, published, django_capture_on_commit_callbacks):
    action = action_execute(action_create(tenant_a, "bill_payment.create", PAY_101,
                                          enqueue=False))
    assert action.state == "succeeded"
    control(books, "mutate", {"entity": "BillPayment", "id": action.external_id,
                              "operation": "delete"})
    with django_capture_on_commit_callbacks(execute=True):
        action = action_reconcile(action, check_succeeded=True)
    assert action.drift
    assert published == [(ALERTS_EVALUATE, "alpha")]
    assert run_enqueued(tenant_a)["claimed"] == [Kind.PAYMENT_PROBLEM]
    assert "no longer matches QuickBooks" in mail.outbox[-1].body


def test_a_bank_login_needing_repair_enqueues_the_evaluation_once_per_change(
        tenant_a, owner_a, published, django_capture_on_commit_callbacks):
    prefs_set(tenant_a, disabled_kinds=[k for k in Kind.values if k != Kind.BANK_REPAIR])
    item = PlaidItemFactory(business=tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert handle_webhook({"item_id": item.item_id, "webhook_type": "ITEM",
                               "webhook_code": "ERROR",
                               "error": {"error_code": "ITEM_LOGIN_REQUIRED"}}
                              ) == "login_required"
    assert published == [(ALERTS_EVALUATE, "alpha")]
    assert run_enqueued(tenant_a)["claimed"] == [Kind.BANK_REPAIR]
    assert mail.outbox[-1].subject == "Reconnect First Platypus Bank"

    item.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        item_status_set(item, PlaidItem.Status.LOGIN_REQUIRED)  # no change: no new evaluation
        item_status_set(item, PlaidItem.Status.OK)  # repaired: nothing to tell
    assert published == [(ALERTS_EVALUATE, "alpha")]
    with django_capture_on_commit_callbacks(execute=True):
        item_status_set(item, PlaidItem.Status.PENDING_EXPIRATION)
    assert published[1:] == [(ALERTS_EVALUATE, "alpha")]
    # The same day: the kind is spent (one alert per kind per day).
    assert run_enqueued(tenant_a)["claimed"] == []
    with in_tenant(tenant_a):
        assert list(Alert.objects.values_list("kind", flat=True)) == [Kind.BANK_REPAIR]
