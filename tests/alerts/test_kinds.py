"""Each kind of alert fires on its condition — and not otherwise — by email to every owner and
to the owner's webhook (a real local receiver)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.alerts.models import Alert, AlertDelivery, Kind
from apps.alerts.services import alerts_evaluate
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.models import Action, QboConnection, SyncRun
from apps.runway.services import runway_compute
from apps.tenancy.urls import business_url
from tests.alerts.conftest import books, prefs_set
from tests.factories import (
    ActionFactory,
    BillFactory,
    PlaidItemFactory,
    QboConnectionFactory,
    SyncRunFactory,
    VendorFactory,
    make_member,
)

pytestmark = pytest.mark.django_db


def kinds_sent(business) -> list[str]:
    with tenant_context(business):
        return sorted(Alert.objects.values_list("kind", flat=True))


def only(business, kind: str) -> None:
    """Every other kind off, so a test sees its own kind alone."""
    prefs_set(business, disabled_kinds=[k for k in Kind.values if k != kind])


# --- runway below the owner's threshold ---------------------------------------------------


def test_runway_below_the_threshold_alerts_and_above_it_does_not(tenant_a, owner_a):
    only(tenant_a, Kind.RUNWAY_LOW)
    books(tenant_a, balance="100000.00")
    days = runway_compute(tenant_a).runway_days
    assert 100 < days < 365

    prefs_set(tenant_a, runway_days_threshold=int(days) - 5)  # runway above the threshold
    assert alerts_evaluate(tenant_a).claimed == []
    prefs_set(tenant_a, runway_days_threshold=int(days) + 5)
    assert alerts_evaluate(tenant_a).claimed == [Kind.RUNWAY_LOW]
    assert [m.to for m in mail.outbox] == [[owner_a.email]]
    assert f"Runway is down to {int(days)} days" == mail.outbox[0].subject
    assert business_url(tenant_a, "/") in mail.outbox[0].body


# --- a cash-zero week in the forecast -----------------------------------------------------


def test_a_cash_zero_week_alerts(tenant_a, owner_a):
    only(tenant_a, Kind.CASH_ZERO)
    books(tenant_a, balance="100000.00", bill_due_in=10, bill="150000.00")
    week = runway_compute(tenant_a).cash_zero_week
    assert week is not None
    assert alerts_evaluate(tenant_a).claimed == [Kind.CASH_ZERO]
    assert mail.outbox[0].subject == f"Cash runs out the week of {week:%b} {week.day}"


def test_no_cash_zero_week_no_alert(tenant_a, owner_a):
    only(tenant_a, Kind.CASH_ZERO)
    books(tenant_a, balance="100000.00", bill_due_in=10, bill="1500.00")
    assert runway_compute(tenant_a).cash_zero_week is None
    assert alerts_evaluate(tenant_a).claimed == [] and mail.outbox == []


# --- a payment fails or drifts ------------------------------------------------------------


def test_a_failed_payment_alerts_once_and_a_later_one_again(tenant_a, owner_a):
    only(tenant_a, Kind.PAYMENT_PROBLEM)
    ActionFactory(business=tenant_a)  # succeeded
    ActionFactory(business=tenant_a, kind="invoice.send", state=Action.State.FAILED)  # no money
    assert alerts_evaluate(tenant_a).claimed == []

    bill = BillFactory(business=tenant_a, doc_number="1042",
                       vendor=VendorFactory(business=tenant_a, display_name="WeWork Rent"))
    failed = ActionFactory(business=tenant_a, state=Action.State.FAILED, target_type="bill",
                           target_id=str(bill.pk),
                           error="QuickBooks refused it: the bank account is closed")
    assert alerts_evaluate(tenant_a).claimed == [Kind.PAYMENT_PROBLEM]
    assert ("$250.00 payment to WeWork Rent (bill 1042) failed: QuickBooks refused it: "
            "the bank account is closed") in mail.outbox[0].body
    tomorrow = timezone.now() + timedelta(days=1)
    assert alerts_evaluate(tenant_a, tomorrow).claimed == []  # told once, not every day

    drifted = ActionFactory(business=tenant_a, drift=True,
                            error="the record Oodaloo wrote is no longer in QuickBooks")
    assert alerts_evaluate(tenant_a, tomorrow).claimed == [Kind.PAYMENT_PROBLEM]
    assert "$250.00 payment no longer matches QuickBooks" in mail.outbox[-1].body
    with tenant_context(tenant_a):
        assert [a.detail["actions"] for a in Alert.objects.order_by("day")] == [
            [failed.pk], [drifted.pk]]


# --- QuickBooks sync failing for more than N hours ----------------------------------------


def test_sync_failing_longer_than_the_owner_s_hours_alerts(tenant_a, owner_a):
    only(tenant_a, Kind.SYNC_FAILING)
    prefs_set(tenant_a, sync_failing_hours=24)
    now = timezone.now()
    SyncRunFactory(business=tenant_a, started_at=now - timedelta(hours=40))
    SyncRunFactory(business=tenant_a, state=SyncRun.State.FAILED, error="ServiceUnavailable",
                   started_at=now - timedelta(hours=30))
    SyncRunFactory(business=tenant_a, state=SyncRun.State.FAILED, error="ServiceUnavailable",
                   started_at=now - timedelta(hours=1))
    assert alerts_evaluate(tenant_a).claimed == [Kind.SYNC_FAILING]
    assert mail.outbox[0].subject == "QuickBooks has not synced for 30 hours"
    assert "ServiceUnavailable" in mail.outbox[0].body


@pytest.mark.parametrize("last_state,failing_for", [
    (SyncRun.State.FAILED, 3),  # failing, but not for long
    (SyncRun.State.SUCCEEDED, 30),  # failed long ago, good since
])
def test_sync_not_failing_long_enough_does_not_alert(tenant_a, owner_a, last_state,
                                                     failing_for):
    only(tenant_a, Kind.SYNC_FAILING)
    now = timezone.now()
    SyncRunFactory(business=tenant_a, started_at=now - timedelta(hours=50))
    SyncRunFactory(business=tenant_a, state=SyncRun.State.FAILED,
                   started_at=now - timedelta(hours=failing_for))
    SyncRunFactory(business=tenant_a, state=last_state, started_at=now - timedelta(minutes=5))
    assert alerts_evaluate(tenant_a).claimed == []


# --- QuickBooks reconnect due: 14 and 3 days before the hard expiry ----------------------


def test_reconnect_notices_14_then_3_days_before_to_every_owner_once(tenant_a, owner_a):
    only(tenant_a, Kind.QBO_RECONNECT)
    partner = make_member(tenant_a, Role.OWNER, email="partner@alpha.test")
    make_member(tenant_a, Role.BOOKKEEPER)  # not an owner: no email
    conn = QboConnectionFactory(business=tenant_a,
                                refresh_expires_at=timezone.now() + timedelta(days=20))
    now = timezone.now()
    assert alerts_evaluate(tenant_a, now).claimed == []  # 20 days left: nothing yet

    at_14 = now + timedelta(days=7)  # 13 days left
    assert alerts_evaluate(tenant_a, at_14).claimed == [Kind.QBO_RECONNECT]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner_a.email, partner.email])
    assert "14 days left" in mail.outbox[0].subject
    assert business_url(tenant_a, "/connect/qbo/") in mail.outbox[0].body
    assert alerts_evaluate(tenant_a, at_14 + timedelta(days=1)).claimed == []  # once per notice

    at_3 = now + timedelta(days=17, hours=1)
    assert alerts_evaluate(tenant_a, at_3).claimed == [Kind.QBO_RECONNECT]
    assert "3 days left" in mail.outbox[-1].subject and len(mail.outbox) == 4
    conn.refresh_from_db()
    assert set(conn.reconnect_notices) == {"14", "3"}


def test_the_reconnect_notice_names_the_day_on_the_business_s_calendar(tenant_a, owner_a):
    only(tenant_a, Kind.QBO_RECONNECT)
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(timezone="America/Los_Angeles")
    tenant_a.refresh_from_db()
    utc_day = (timezone.now() + timedelta(days=2)).date()
    expires = datetime.combine(utc_day, time(3, 0), tzinfo=UTC)  # LA: the day before
    QboConnectionFactory(business=tenant_a, refresh_expires_at=expires)
    assert alerts_evaluate(tenant_a, timezone.now()).claimed == [Kind.QBO_RECONNECT]
    before = utc_day - timedelta(days=1)
    assert f"before {before:%B} {before.day}" in mail.outbox[0].subject


def test_no_reconnect_notice_when_disconnected_or_already_expired(tenant_a, owner_a):
    only(tenant_a, Kind.QBO_RECONNECT)
    conn = QboConnectionFactory(business=tenant_a, status=QboConnection.Status.DISCONNECTED,
                                refresh_expires_at=timezone.now() + timedelta(days=5))
    assert alerts_evaluate(tenant_a).claimed == []
    conn.status = QboConnection.Status.CONNECTED
    conn.refresh_expires_at = timezone.now() - timedelta(minutes=1)
    conn.save()
    assert alerts_evaluate(tenant_a).claimed == [] and mail.outbox == []


# --- a bank login needs repair ------------------------------------------------------------


def test_a_bank_login_needing_repair_alerts_and_a_healthy_one_does_not(tenant_a, owner_a):
    only(tenant_a, Kind.BANK_REPAIR)
    item = PlaidItemFactory(business=tenant_a, last_sync_at=timezone.now())
    assert alerts_evaluate(tenant_a).claimed == []
    item.status = PlaidItem.Status.LOGIN_REQUIRED
    item.save()
    assert alerts_evaluate(tenant_a).claimed == [Kind.BANK_REPAIR]
    assert mail.outbox[0].subject == "Reconnect First Platypus Bank"
    assert "/settings/bank/" in mail.outbox[0].body


def test_every_kind_reaches_the_webhook_too(tenant_a, owner_a, receiver):
    prefs_set(tenant_a, webhook_url=receiver.url, disabled_kinds=[
        Kind.RUNWAY_LOW, Kind.CASH_ZERO, Kind.SYNC_FAILING, Kind.QBO_RECONNECT])
    PlaidItemFactory(business=tenant_a, status=PlaidItem.Status.LOGIN_REQUIRED)
    ActionFactory(business=tenant_a, state=Action.State.FAILED, error="refused")
    report = alerts_evaluate(tenant_a)
    assert sorted(report.claimed) == [Kind.BANK_REPAIR, Kind.PAYMENT_PROBLEM]
    assert report.sent == 4  # two emails, two webhook posts
    assert sorted(m["blocks"][0]["text"]["text"] for m in receiver.messages()) == [
        "A payment needs your attention", "Reconnect First Platypus Bank"]
    with tenant_context(tenant_a):
        assert set(AlertDelivery.objects.values_list("channel", "state")) == {
            ("email", "sent"), ("webhook", "sent")}
