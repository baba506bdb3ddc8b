"""Owners are emailed 14 and 3 days before QuickBooks access expires — once each per expiry —
and the Prep Tray shows the reconnect item meanwhile."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts.models import Role
from apps.integrations.sync.models import QboConnection
from apps.integrations.sync.reconnect_notices import reconnect_notices_dispatch
from apps.tray.models import TrayItem
from apps.tray.services import tray_generate
from tests.factories import QboConnectionFactory, make_member
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _conn(business, expires_in: timedelta) -> QboConnection:
    return QboConnectionFactory(business=business,
                                refresh_expires_at=timezone.now() + expires_in)


def test_each_owner_gets_the_14_day_then_the_3_day_email_once(tenant_a, owner_a):
    second_owner = make_member(tenant_a, Role.OWNER, email="partner@alpha.test")
    make_member(tenant_a, Role.BOOKKEEPER)  # not an owner: no email
    conn = _conn(tenant_a, timedelta(days=20))
    now = timezone.now()
    assert reconnect_notices_dispatch(now) == 0  # 20 days left: nothing yet

    at_14 = now + timedelta(days=7)  # 13 days left
    assert reconnect_notices_dispatch(at_14) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner_a.email, second_owner.email])
    assert "14 days left" in mail.outbox[0].subject
    assert "http://alpha.localhost" in mail.outbox[0].body
    assert reconnect_notices_dispatch(at_14 + timedelta(hours=1)) == 0  # once

    at_3 = now + timedelta(days=17, hours=1)  # under 3 days left
    assert reconnect_notices_dispatch(at_3) == 2
    assert "3 days left" in mail.outbox[-1].subject
    assert reconnect_notices_dispatch(at_3 + timedelta(hours=5)) == 0
    assert len(mail.outbox) == 4

    # Reconnecting brings a new expiry: the notices start over for it.
    conn.refresh_expires_at = now + timedelta(days=120)
    conn.save()
    assert reconnect_notices_dispatch(now + timedelta(days=107)) == 2


def test_a_connection_first_seen_at_3_days_gets_only_the_3_day_email(tenant_a, owner_a):
    _conn(tenant_a, timedelta(days=2))
    assert reconnect_notices_dispatch() == 1
    assert "3 days left" in mail.outbox[0].subject
    assert reconnect_notices_dispatch() == 0


def test_disconnected_or_expired_connections_get_no_email(tenant_a, owner_a):
    conn = _conn(tenant_a, timedelta(days=5))
    conn.status = QboConnection.Status.DISCONNECTED
    conn.save()
    assert reconnect_notices_dispatch() == 0
    conn.status = QboConnection.Status.CONNECTED
    conn.refresh_expires_at = timezone.now() - timedelta(minutes=1)
    conn.save()
    assert reconnect_notices_dispatch() == 0


def test_the_tray_shows_the_reconnect_item_before_expiry(tenant_a, owner_a):
    _conn(tenant_a, timedelta(days=2, hours=12))
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        item = TrayItem.objects.get(key="connection:qbo:expiring")
    assert item.status == TrayItem.Status.OPEN and "2 days left" in item.detail
