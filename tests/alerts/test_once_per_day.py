"""At most one alert per kind per business per day — a unique key in the database, not a
cache: a second evaluation the same day sends nothing; the next day sends again if the
condition still holds; the sync finaliser and beat tick only enqueue the same evaluation."""

from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.alerts.models import Alert, Kind
from apps.alerts.services import alerts_dispatch, alerts_evaluate
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync import sinks
from tests.alerts.conftest import prefs_set
from tests.factories import PlaidItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_bank(tenant_a, owner_a, receiver):
    prefs_set(tenant_a, webhook_url=receiver.url,
              disabled_kinds=[k for k in Kind.values if k != Kind.BANK_REPAIR])
    return PlaidItemFactory(business=tenant_a, status=PlaidItem.Status.LOGIN_REQUIRED)


def test_second_evaluation_the_same_day_sends_nothing(tenant_a, broken_bank, receiver):
    # Noon in Los Angeles (alpha's zone): half an hour later is the same local day at any hour
    # the suite runs (from 07:30 UTC, now + 30 min would cross the local midnight).
    now = timezone.now().replace(hour=20, minute=0)
    first = alerts_evaluate(tenant_a, now)
    assert first.claimed == [Kind.BANK_REPAIR] and first.sent == 2
    again = alerts_evaluate(tenant_a, now + timedelta(minutes=30))
    assert again.claimed == [] and again.sent == 0
    assert len(mail.outbox) == 1 and len(receiver.received) == 1


def test_next_day_sends_again_while_the_condition_holds_and_not_after(tenant_a, broken_bank,
                                                                     receiver):
    now = timezone.now()
    alerts_evaluate(tenant_a, now)
    assert alerts_evaluate(tenant_a, now + timedelta(days=1)).claimed == [Kind.BANK_REPAIR]
    broken_bank.status = PlaidItem.Status.OK
    broken_bank.save()
    assert alerts_evaluate(tenant_a, now + timedelta(days=2)).claimed == []
    assert len(mail.outbox) == 2 and len(receiver.received) == 2
    with tenant_context(tenant_a):
        days = list(Alert.objects.order_by("day").values_list("day", flat=True))
    assert days[1] - days[0] == timedelta(days=1)


def test_the_day_is_the_business_s_local_day(tenant_a, tenant_b, broken_bank):
    """alpha is in Los Angeles: 05:00 UTC is still the previous local day there."""
    now = timezone.now().replace(hour=5, minute=0)
    alerts_evaluate(tenant_a, now)
    with tenant_context(tenant_a):
        assert Alert.objects.get().day == (now - timedelta(days=1)).date()


def test_the_database_refuses_a_second_alert_of_a_kind_on_a_day(tenant_a):
    today = timezone.now().date()
    with tenant_context(tenant_a):
        Alert.objects.create(kind=Kind.CASH_ZERO, day=today, title="t", text="t")
        with pytest.raises(IntegrityError), transaction.atomic():
            Alert.objects.create(kind=Kind.CASH_ZERO, day=today, title="t2", text="t2")


def test_no_channel_no_alert(tenant_a, owner_a):
    prefs_set(tenant_a, email_enabled=False, webhook_url="")
    PlaidItemFactory(business=tenant_a, status=PlaidItem.Status.LOGIN_REQUIRED)
    assert alerts_evaluate(tenant_a).claimed == []
    with tenant_context(tenant_a):
        assert not Alert.objects.exists()


@pytest.fixture
def published(memory_broker):
    sent: list[tuple[str, str]] = []

    def record(sender=None, headers=None, **_kw):
        sent.append((sender, (headers or {}).get("_schema_name")))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def test_the_sync_finaliser_and_the_beat_tick_enqueue_an_evaluation(
        tenant_a, published, django_capture_on_commit_callbacks):
    from apps.alerts.services import alerts_after_sync

    assert alerts_after_sync in sinks.finalisers()
    with django_capture_on_commit_callbacks(execute=True):
        alerts_after_sync(sinks.SinkContext(business=tenant_a, realm_id="1"), False)
    assert published == [("alerts.evaluate", "alpha")]
    assert alerts_dispatch() >= 2
    assert {("alerts.evaluate", "alpha"), ("alerts.evaluate", "beta")} <= set(published[1:])
