"""Reminders wait for fresh books: while QuickBooks needs reconnecting or has not synced for a
day, the day's reminders are held (a customer who paid meanwhile gets no final notice), the
Collections page says so, and the held day goes out once fresh data arrives."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from apps.ar.reminders.models import ReminderEmail
from apps.collections.freshness import BOOKS_STALE_HOURS
from apps.collections.services import reminders_due, reminders_run
from apps.core.dates import business_now_override
from apps.integrations.sync.models import QboConnection
from tests.factories.sync import QboConnectionFactory
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _at(rem, day, hour) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(rem.business.timezone))


def _synced(rem, at: datetime) -> None:
    rem.business.last_sync_at = at
    rem.business.save(update_fields=["last_sync_at"])


def _due(rem, at: datetime) -> bool:
    return rem.business.pk in [b.pk for b, _ in reminders_due(at)]


@pytest.fixture
def overdue(rem):
    QboConnectionFactory(business=rem.business)
    with in_tenant(rem.business):
        c = f.customer("Acme Co", "billing@acme.test")
        f.invoice(c, "1000.00", rem.today - timedelta(days=1), doc="A-1")  # step +1 today
    return c


def test_stale_books_hold_the_day_and_fresh_data_sends_it(rem, overdue):
    day, morning = rem.today, _at(rem, rem.today, 9)
    _synced(rem, morning - timedelta(hours=BOOKS_STALE_HOURS + 5))
    assert not _due(rem, morning)
    with business_now_override(morning):
        assert reminders_run(rem.business, day).state == "held"
        page = client_for(rem.business, rem.owner).get("/collections/")
    assert mail.outbox == []
    text = page.content.decode()
    assert "Reminders paused: QuickBooks data is 31 hours old" in text
    # QuickBooks syncs the next morning: the held step goes out then (the catch-up window).
    tomorrow = _at(rem, day + timedelta(days=1), 9)
    _synced(rem, tomorrow - timedelta(minutes=20))
    assert _due(rem, tomorrow)
    with business_now_override(tomorrow):
        assert reminders_run(rem.business, day + timedelta(days=1)).sent == 1
        page = client_for(rem.business, rem.owner).get("/collections/")
    assert "payment now due" in mail.outbox[0].subject
    assert "Reminders paused" not in page.content.decode()


def test_a_connection_that_needs_reconnecting_holds_reminders(rem, overdue):
    morning = _at(rem, rem.today, 9)
    _synced(rem, morning - timedelta(hours=2))  # fresh, but no sync can run any more
    QboConnection.objects.filter(business=rem.business).update(
        status=QboConnection.Status.NEEDS_RECONNECT)
    assert not _due(rem, morning)
    with business_now_override(morning):
        assert reminders_run(rem.business, rem.today).state == "held"
        page = client_for(rem.business, rem.owner).get("/collections/")
    assert "Reminders paused: QuickBooks needs reconnecting" in page.content.decode()
    with in_tenant(rem.business):
        assert not ReminderEmail.objects.exists()
    assert mail.outbox == []
