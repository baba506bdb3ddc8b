"""The owner's Alerts page: kinds on/off, thresholds, email, the webhook with "send test", and
the history. Owner only; every change audited; the choices are honoured by the evaluation."""

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.alerts.models import AlertSettings, Kind
from apps.alerts.preferences import alert_settings_set
from apps.alerts.services import alert_settings_get, alerts_evaluate
from apps.core.errors import PermissionDenied
from apps.core.models import AuditEvent
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.models import Action
from tests.factories import ActionFactory, PlaidItemFactory, make_member
from tests.utils import client_for

pytestmark = pytest.mark.django_db


def _form(**over):
    data = {"kinds": [Kind.PAYMENT_PROBLEM, Kind.RUNWAY_LOW], "runway_days_threshold": "45",
            "sync_failing_hours": "6", "email_enabled": "1", "webhook_url": ""}
    data.update(over)
    return data


def _prefs(business) -> AlertSettings:
    with tenant_context(business):
        return alert_settings_get()


def test_the_owner_saves_choices_on_the_page_and_it_is_audited(tenant_a, owner_a, receiver):
    client = client_for(tenant_a, owner_a)
    page = client.get("/settings/alerts/")
    assert page.status_code == 200 and b'data-testid="alerts-form"' in page.content
    resp = client.post("/settings/alerts/", _form(webhook_url=receiver.url))
    assert resp.status_code == 302
    prefs = _prefs(tenant_a)
    assert sorted(prefs.disabled_kinds) == sorted(
        [Kind.CASH_ZERO, Kind.SYNC_FAILING, Kind.QBO_RECONNECT, Kind.BANK_REPAIR])
    assert (prefs.runway_days_threshold, prefs.sync_failing_hours) == (45, 6)
    assert prefs.webhook_url == receiver.url
    event = AuditEvent.objects.get(action="alerts.settings", business_id=tenant_a.pk)
    assert event.actor == owner_a
    assert event.after["webhook"] == "127.0.0.1" and receiver.url not in str(event.after)
    assert event.after["webhook_changed"] is True


def test_turned_off_kinds_and_email_are_honoured(tenant_a, owner_a, receiver):
    alert_settings_set(actor=owner_a, business=tenant_a, enabled_kinds=[Kind.PAYMENT_PROBLEM],
                       runway_days_threshold=30, sync_failing_hours=24, email_enabled=False,
                       webhook_url=receiver.url)
    PlaidItemFactory(business=tenant_a, status=PlaidItem.Status.LOGIN_REQUIRED)  # kind off
    assert alerts_evaluate(tenant_a).claimed == []
    ActionFactory(business=tenant_a, state=Action.State.FAILED, error="refused")
    report = alerts_evaluate(tenant_a)
    assert report.claimed == [Kind.PAYMENT_PROBLEM] and report.sent == 1
    assert mail.outbox == [] and len(receiver.received) == 1  # webhook only: email is off


@pytest.mark.parametrize("role", [Role.BOOKKEEPER, Role.VIEWER])
def test_a_non_owner_cannot_see_or_change_alerts(tenant_a, owner_a, role):
    member = make_member(tenant_a, role)
    client = client_for(tenant_a, member)
    assert client.get("/settings/alerts/").status_code == 403
    assert client.post("/settings/alerts/", _form()).status_code == 403
    assert client.post("/settings/alerts/test/").status_code == 403
    with tenant_context(tenant_a):
        assert not AlertSettings.objects.exists()
    with pytest.raises(PermissionDenied):
        alert_settings_set(actor=member, business=tenant_a, enabled_kinds=[],
                           runway_days_threshold=30, sync_failing_hours=24, email_enabled=True,
                           webhook_url="")
    assert not AuditEvent.objects.filter(action="alerts.settings").exists()


@pytest.mark.parametrize("over,message", [
    ({"runway_days_threshold": "soon"}, "whole number"),
    ({"sync_failing_hours": "0"}, "between 1 and"),
    ({"kinds": ["everything"]}, "Unknown alert kind"),
    ({"webhook_url": "http://10.0.0.7/hook"}, "private or local"),
])
def test_bad_input_is_refused_and_nothing_changes(tenant_a, owner_a, over, message):
    resp = client_for(tenant_a, owner_a).post("/settings/alerts/", _form(**over))
    assert resp.status_code == 400 and message in resp.content.decode()
    assert _prefs(tenant_a).disabled_kinds == []  # the defaults, untouched


def test_send_test_reaches_the_receiver_and_reports_failures(tenant_a, owner_a, receiver):
    client = client_for(tenant_a, owner_a)
    client.post("/settings/alerts/", _form(webhook_url=receiver.url))
    page = client.post("/settings/alerts/test/", follow=True).content.decode()
    assert "Test message delivered to 127.0.0.1." in page
    assert receiver.messages()[0]["blocks"][0]["text"]["text"] == "Test alert from Oodaloo"
    receiver.status = 404
    page = client.post("/settings/alerts/test/", follow=True).content.decode()
    assert "not accepted: HTTP 404" in page
    assert AuditEvent.objects.filter(action="alerts.webhook_test").count() == 2


def test_the_history_lists_alerts_with_their_deliveries(tenant_a, owner_a):
    ActionFactory(business=tenant_a, state=Action.State.FAILED, error="refused")
    alerts_evaluate(tenant_a)
    page = client_for(tenant_a, owner_a).get("/settings/alerts/").content.decode()
    assert "A payment needs your attention" in page
    assert f"{owner_a.email} · sent" in page


def test_the_page_masks_the_webhook_keeps_it_when_blank_and_clears_it_on_request(
        tenant_a, owner_a, receiver):
    client = client_for(tenant_a, owner_a)
    client.post("/settings/alerts/", _form(webhook_url=receiver.url))
    page = client.get("/settings/alerts/").content.decode()
    assert receiver.url not in page  # a webhook URL is a credential
    assert f"127.0.0.1 …{receiver.url[-4:]}" in page and 'data-testid="webhook-clear"' in page
    assert 'name="webhook_url" type="url" value=""' in page
    client.post("/settings/alerts/", _form(runway_days_threshold="20"))  # field left blank
    prefs = _prefs(tenant_a)
    assert (prefs.webhook_url, prefs.runway_days_threshold) == (receiver.url, 20)
    event = AuditEvent.objects.filter(action="alerts.settings").latest("pk")
    assert event.after["webhook_changed"] is False
    client.post("/settings/alerts/", _form(webhook_clear="1"))
    assert not _prefs(tenant_a).webhook_url
    assert 'data-testid="webhook-clear"' not in client.get("/settings/alerts/").content.decode()
