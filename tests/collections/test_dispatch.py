"""Beat's reminders dispatcher: each business once a day, after its local 08:00, only with
reminders on, and not again once that day's tick finished."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from apps.ar.reminders.models import CollectionsSettings, ReminderTick
from apps.collections.services import reminders_due
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _at(business, hour, minute=0):
    local = datetime.now(ZoneInfo(business.timezone)).replace(hour=hour, minute=minute,
                                                               second=0, microsecond=0)
    return local


def test_due_after_local_morning_once_a_day(rem, tenant_b):
    alpha = rem.business
    due = {b.slug: day for b, day in reminders_due(_at(alpha, 7, 59))}
    assert "alpha" not in due
    due = {b.slug: day for b, day in reminders_due(_at(alpha, 8, 1))}
    assert due["alpha"] == _at(alpha, 8).date() and "beta" not in due  # beta: reminders off
    with in_tenant(alpha):
        ReminderTick.objects.create(day=_at(alpha, 8).date(), finished_at=_at(alpha, 8, 5))
        assert "alpha" not in {b.slug for b, _ in reminders_due(_at(alpha, 9))}
        CollectionsSettings.objects.update(enabled=False)
        tomorrow = _at(alpha, 9) + timedelta(days=1)
        assert "alpha" not in {b.slug for b, _ in reminders_due(tomorrow)}


def test_beat_runs_the_dispatcher():
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-dispatch"]
    assert entry["task"] == "reminders.dispatch" and entry["schedule"] <= timedelta(hours=1)


def test_tray_preview_queries_do_not_grow_with_customers(rem):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.portal import factories as f
    from tests.utils import client_for

    client = client_for(rem.business, rem.owner)

    def tray_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/tray/")
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode().count(
            'data-testid="reminder-preview"')

    with in_tenant(rem.business):
        for i in range(3):
            f.invoice(f.customer(f"Few {i}", f"few{i}@t.test"), "100.00", rem.today)
    client.get("/tray/")  # warm the runway cache
    few, shown = tray_queries()
    assert shown == 3
    with in_tenant(rem.business):
        for i in range(30):
            f.invoice(f.customer(f"Many {i}", f"many{i}@t.test"), "100.00", rem.today)
        f.fresh_runway(rem.business)
    client.get("/tray/")
    many, shown = tray_queries()
    assert shown == 33 and many == few
