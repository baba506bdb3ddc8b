"""The owner's Slack-compatible webhook: a real local receiver gets a well-formed message;
a refusal or a timeout is recorded on the delivery and shown on the Alerts page."""

import json

import pytest
from django.test import override_settings
from django_tenants.utils import tenant_context

from apps.alerts.models import AlertDelivery, Kind
from apps.alerts.services import alerts_evaluate
from apps.alerts.webhook import webhook_host
from apps.integrations.plaid.models import PlaidItem
from apps.tenancy.urls import business_url
from tests.alerts.conftest import prefs_set
from tests.factories import PlaidItemFactory
from tests.utils import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_alert_due(tenant_a, owner_a, receiver):
    prefs_set(tenant_a, webhook_url=receiver.url, email_enabled=False,
              disabled_kinds=[k for k in Kind.values if k != Kind.BANK_REPAIR])
    PlaidItemFactory(business=tenant_a, status=PlaidItem.Status.LOGIN_REQUIRED,
                     institution_name="Chase")


def _webhook_delivery(business) -> AlertDelivery:
    with tenant_context(business):
        return AlertDelivery.objects.get(channel=AlertDelivery.Channel.WEBHOOK)


def test_the_receiver_gets_a_well_formed_slack_message(tenant_a, bank_alert_due, receiver):
    assert alerts_evaluate(tenant_a).sent == 1
    [(headers, body)] = receiver.received
    assert headers["Content-Type"] == "application/json"
    message = json.loads(body)
    assert set(message) == {"text", "blocks"}
    assert message["text"].startswith("Reconnect Chase: The bank needs you to sign in again")
    header, section, actions, context = message["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": "Reconnect Chase"}}
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert "Alpha Studio" in section["text"]["text"]
    assert actions["elements"][0]["url"] == business_url(tenant_a, "/settings/bank/")
    assert context["elements"][0]["text"] == "Oodaloo · Alpha Studio"
    delivery = _webhook_delivery(tenant_a)
    assert delivery.state == "sent" and delivery.sent_at is not None
    assert delivery.recipient == webhook_host(receiver.url)


def test_a_refusal_is_recorded_and_shown_not_retried(tenant_a, owner_a, bank_alert_due, receiver):
    receiver.status = 403
    report = alerts_evaluate(tenant_a)
    assert report.failed == 1 and report.sent == 0
    delivery = _webhook_delivery(tenant_a)
    assert delivery.state == "failed" and delivery.error == "HTTP 403: invalid_token"
    page = client_for(tenant_a, owner_a).get("/settings/alerts/").content.decode()
    assert 'data-testid="webhook-failure"' in page and "HTTP 403: invalid_token" in page
    assert alerts_evaluate(tenant_a).failed == 0  # the day's alert is spent: no retry storm
    assert len(receiver.received) == 1


@override_settings(ALERTS_WEBHOOK_TIMEOUT=0.5)
def test_a_receiver_that_does_not_answer_in_time_is_unknown_not_resent(tenant_a, bank_alert_due,
                                                                       receiver):
    receiver.delay = 3
    report = alerts_evaluate(tenant_a)
    assert report.unknown == 1
    delivery = _webhook_delivery(tenant_a)
    assert delivery.state == "unknown" and "no answer within 0.5 s" in delivery.error
    assert len(receiver.received) == 1


def test_a_receiver_that_is_gone_is_a_failure(tenant_a, bank_alert_due, receiver):
    receiver.stop()  # the port now refuses connections
    assert alerts_evaluate(tenant_a).failed == 1
    assert _webhook_delivery(tenant_a).error == "could not connect"


def test_the_provider_s_tracking_webhook_updates_the_alert_email(tenant_a, owner_a, settings):
    """Postmark's signed tracking webhook (one endpoint for all our mail) reaches the alert's
    email delivery by the send_id we sent: an `unknown` delivery is proven sent; a retry
    changes nothing."""
    import base64

    from django.test import Client

    prefs_set(tenant_a, disabled_kinds=[k for k in Kind.values if k != Kind.BANK_REPAIR])
    PlaidItemFactory(business=tenant_a, status=PlaidItem.Status.LOGIN_REQUIRED)
    alerts_evaluate(tenant_a)
    delivery = _email_delivery(tenant_a)
    with tenant_context(tenant_a):  # as if the worker died after handing it over
        AlertDelivery.objects.filter(pk=delivery.pk).update(state="unknown")
    user, password = settings.ANYMAIL["WEBHOOK_SECRET"].split(":", 1)
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    body = {"RecordType": "Delivery", "MessageID": "pm-1", "Recipient": owner_a.email,
            "DeliveredAt": "2026-03-02T17:31:02Z", "Details": "", "Tag": "alert",
            "ServerID": 1, "MessageStream": "outbound",
            "Metadata": {"schema": "alpha", "alert": "bank_repair",
                         "send_id": delivery.send_id}}
    for _ in range(2):
        resp = Client(HTTP_HOST="localhost").post(
            "/anymail/postmark/tracking/", json.dumps(body), content_type="application/json",
            HTTP_AUTHORIZATION=auth)
        assert resp.status_code == 200
    delivery = _email_delivery(tenant_a)
    assert (delivery.state, delivery.last_event) == ("sent", "delivered")


def _email_delivery(business) -> AlertDelivery:
    with tenant_context(business):
        return AlertDelivery.objects.get(channel=AlertDelivery.Channel.EMAIL)
