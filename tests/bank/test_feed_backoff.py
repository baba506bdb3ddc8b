"""A bank feed whose syncs keep failing is tried again later and later, not at every tick."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.bank.services.feed_connect import feed_connect_sandbox
from apps.bank.services.feed_sync import feed_sync_run
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.tasks import _plaid_dispatch
from tests.integrations.sync.conftest import published  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

FEED_TASK = "bank.feed_sync"


def _dispatched(published, now) -> int:  # noqa: F811 (the fixture)
    before = len(published)
    _plaid_dispatch(now)
    return sum(1 for p in published[before:] if p["task"] == FEED_TASK)


def test_a_failing_feed_waits_longer_each_time_and_a_good_sync_ends_the_wait(
        tenant_a, sandbox, published):  # noqa: F811
    item = feed_connect_sandbox(tenant_a)
    due = timezone.now() - timedelta(days=1)  # by the cadence alone, due at every tick
    PlaidItem.objects.filter(pk=item.pk).update(last_sync_at=due)
    assert _dispatched(published, timezone.now()) == 1

    sandbox.set_faults("error500=1")  # the bank (through Plaid) keeps failing
    report = feed_sync_run(tenant_a, item=PlaidItem.objects.get(pk=item.pk))
    assert report.errors and report.retryable
    item.refresh_from_db()
    first = item.failed_at
    assert item.failing_since == first and "INTERNAL_SERVER_ERROR" in item.last_error
    assert item.retry_at() == first + timedelta(minutes=15)
    assert _dispatched(published, first + timedelta(minutes=14)) == 0
    assert _dispatched(published, first + timedelta(minutes=15)) == 1

    # Failing for four hours: the next try waits two more hours, not five minutes.
    PlaidItem.objects.filter(pk=item.pk).update(failing_since=first - timedelta(hours=4))
    item.refresh_from_db()
    assert item.retry_at() == first + timedelta(hours=2)
    assert _dispatched(published, first + timedelta(hours=1)) == 0
    # Failing for days: at most six hours apart.
    PlaidItem.objects.filter(pk=item.pk).update(failing_since=first - timedelta(days=3))
    item.refresh_from_db()
    assert item.retry_at() == first + timedelta(hours=6)

    # A second failure keeps when the run of failures began.
    feed_sync_run(tenant_a, item=item)
    item.refresh_from_db()
    assert item.failing_since == first - timedelta(days=3) and item.failed_at > first

    sandbox.set_faults("error500=0")
    report = feed_sync_run(tenant_a, item=item)
    assert not report.errors
    item.refresh_from_db()
    assert (item.failing_since, item.failed_at, item.last_error) == (None, None, "")
    assert item.retry_at() is None
    PlaidItem.objects.filter(pk=item.pk).update(last_sync_at=due)
    assert _dispatched(published, timezone.now()) == 1
