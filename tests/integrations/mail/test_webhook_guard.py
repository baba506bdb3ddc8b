"""Regression (found by the bad-input drill): anymail webhooks answered a verified but unreadable
body with a 500. They must answer 400 and still accept well-formed events."""

import base64
import json

import pytest
from anymail.signals import tracking
from django.conf import settings

from tests.utils import client_for

pytestmark = pytest.mark.django_db

URLS = ["/anymail/postmark/tracking/", "/anymail/sendgrid/tracking/",
        "/anymail/postmark/inbound/", "/webhooks/email/inbound/postmark/"]


def _auth() -> dict[str, str]:
    secret = settings.ANYMAIL["WEBHOOK_SECRET"]
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")
@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("body", [b"not json", b'[1, 2, "x"]', b"42", b"\xff\xfe"])
def test_verified_garbage_is_a_400_not_a_500(url, body):
    client = client_for()
    client.raise_request_exception = False
    response = client.post(url, body, content_type="application/json", **_auth())
    assert response.status_code == 400, (url, body, response.status_code)


@pytest.mark.parametrize("url", URLS[2:])
def test_a_tracking_event_posted_to_the_inbound_url_is_a_400(url):
    client = client_for()
    client.raise_request_exception = False
    body = json.dumps({"RecordType": "Delivery", "MessageID": "x"})
    response = client.post(url, body, content_type="application/json", **_auth())
    assert response.status_code == 400


@pytest.mark.parametrize("url", URLS)
def test_missing_credentials_still_refused(url):
    client = client_for()
    client.raise_request_exception = False
    response = client.post(url, b"{}", content_type="application/json")
    assert response.status_code == 400


def test_well_formed_postmark_delivery_still_reaches_receivers():
    seen = []

    def record(sender, event, esp_name, **kwargs):
        seen.append((esp_name, event.event_type, event.recipient))

    tracking.connect(record, weak=False)
    try:
        body = json.dumps({"RecordType": "Delivery", "MessageID": "abc-123",
                           "Recipient": "owner@example.test",
                           "DeliveredAt": "2026-11-01T10:00:00Z", "Details": "ok", "Tag": "",
                           "ServerID": 1, "Metadata": {}})
        response = client_for().post("/anymail/postmark/tracking/", body,
                                     content_type="application/json", **_auth())
    finally:
        tracking.disconnect(record)
    assert response.status_code == 200
    assert seen == [("Postmark", "delivered", "owner@example.test")]
