"""The reconnect-notice rule: 14 and 3 days before QuickBooks access expires, once each per
expiry (recorded on the connection). The emails themselves are alerts (kind `qbo_reconnect`,
tests/alerts/test_kinds.py); the Prep Tray shows the reconnect item meanwhile."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.integrations.sync.models import QboConnection
from apps.integrations.sync.reconnect_notices import notice_due, reconnect_notice_record
from apps.tray.models import TrayItem
from apps.tray.services import tray_generate
from tests.factories import QboConnectionFactory
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _conn(business, expires_in: timedelta) -> QboConnection:
    return QboConnectionFactory(business=business,
                                refresh_expires_at=timezone.now() + expires_in)


def test_notices_are_due_at_14_then_3_days_and_recorded_once_per_expiry(tenant_a):
    conn = _conn(tenant_a, timedelta(days=20))
    now = timezone.now()
    assert notice_due(conn, now) is None
    at_14 = now + timedelta(days=7)
    assert notice_due(conn, at_14) == 14
    assert reconnect_notice_record(conn, 14, at_14) is True
    conn.refresh_from_db()
    assert notice_due(conn, at_14) is None
    assert reconnect_notice_record(conn, 14, at_14) is False  # a second claim records nothing
    at_3 = now + timedelta(days=17, hours=1)
    assert notice_due(conn, at_3) == 3
    # A reconnect brings a new expiry: the notices start over for it.
    conn.refresh_expires_at = now + timedelta(days=120)
    conn.save()
    assert notice_due(conn, now + timedelta(days=107)) == 14


def test_first_seen_at_3_days_gets_only_the_3_day_notice(tenant_a):
    assert notice_due(_conn(tenant_a, timedelta(days=2)), timezone.now()) == 3


def test_disconnected_or_expired_connections_are_never_due(tenant_a):
    conn = _conn(tenant_a, timedelta(days=5))
    conn.status = QboConnection.Status.DISCONNECTED
    assert notice_due(conn, timezone.now()) is None
    conn.status = QboConnection.Status.CONNECTED
    conn.refresh_expires_at = timezone.now() - timedelta(minutes=1)
    assert notice_due(conn, timezone.now()) is None


def test_the_tray_shows_the_reconnect_item_before_expiry(tenant_a, owner_a):
    _conn(tenant_a, timedelta(days=2, hours=12))
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        item = TrayItem.objects.get(key="connection:qbo:expiring")
    assert item.status == TrayItem.Status.OPEN and "2 days left" in item.detail


def test_the_expiry_day_is_the_one_on_the_business_s_calendar(tenant_a, owner_a):
    """03:00 UTC is the evening before in Los Angeles: "before <that day>" would be too late."""
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(timezone="America/Los_Angeles")
    tenant_a.refresh_from_db()
    utc_day = (timezone.now() + timedelta(days=3)).date()
    expires = datetime.combine(utc_day, time(3, 0), tzinfo=UTC)
    QboConnectionFactory(business=tenant_a, refresh_expires_at=expires)
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        item = TrayItem.objects.get(key="connection:qbo:expiring")
    evening_before = utc_day - timedelta(days=1)
    assert item.due_date == evening_before
    assert f"expires on {evening_before:%b} {evening_before.day} " in item.detail
