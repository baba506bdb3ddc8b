"""A bounced billing address can be reinstated: the owner saving it again clears the bounce (an
unsubscribe stays), and reminders really resume; a late bounce for an address the owner already
removed, or for mail handed over before the owner saved it again, stops nothing. Bounces come
through anymail's verified Postmark webhook."""

import base64
import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client

from apps.ar.reminders.contacts import contacts_set
from apps.ar.reminders.models import CustomerReminders, ReminderContact, ReminderDelivery
from apps.ar.reminders.plan import reminders_plan
from apps.ar.reminders.send import reminders_tick
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _bounce(settings, send_id: str, to: str, kind: str = "SoftBounce") -> None:
    body = {"RecordType": "Bounce", "ID": uuid.uuid4().int % 10**12, "Type": kind,
            "TypeCode": 4096, "Name": "Soft bounce", "MessageID": str(uuid.uuid4()),
            "ServerID": 1, "MessageStream": "outbound", "Description": "mailbox full",
            "Details": "452 4.2.2 mailbox full", "Email": to, "From": "x@y.test",
            "BouncedAt": "2026-03-02T17:31:02Z", "Inactive": False, "CanActivate": True,
            "Subject": "s", "Metadata": {"schema": "alpha", "kind": "reminder",
                                         "send_id": send_id}}
    user, password = settings.ANYMAIL["WEBHOOK_SECRET"].split(":", 1)
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    r = Client(HTTP_HOST="localhost").post("/anymail/postmark/tracking/", json.dumps(body),
                                          content_type="application/json",
                                          HTTP_AUTHORIZATION=auth)
    assert r.status_code == 200


def _reminded(rem, emails: str):
    with in_tenant(rem.business):
        c = f.customer("Acme", emails)
        f.invoice(c, "400.00", rem.today - timedelta(days=1))
        reminders_tick(rem.business, rem.today, {})
        return c, {d.to: d for d in ReminderDelivery.objects.all()}


def _stopped(rem, c) -> str:
    with in_tenant(rem.business):
        return CustomerReminders.objects.get(customer=c).stopped_reason


def test_saving_a_bounced_address_again_reinstates_it(rem, settings):
    c, sent = _reminded(rem, "ap@acme.test")
    _bounce(settings, sent["ap@acme.test"].send_id, "ap@acme.test")
    assert _stopped(rem, c)
    # The owner: the mailbox has room again — the same address, saved again.
    page = client_for(rem.business, rem.owner).post(f"/customers/{c.pk}/contacts/",
                                                   {"emails": "ap@acme.test"})
    assert page.status_code == 302
    assert _stopped(rem, c) == ""
    with in_tenant(rem.business):
        contact = ReminderContact.objects.get(email="ap@acme.test")
        assert contact.bounced_at is None and contact.reinstated_at is not None
        (e,) = reminders_plan(rem.today + timedelta(days=6), {}).sendable
        assert [x.email for x in e.contacts] == ["ap@acme.test"]
    # The provider retries the old webhook or reports the old mail late: it stops nothing.
    _bounce(settings, sent["ap@acme.test"].send_id, "ap@acme.test")
    assert _stopped(rem, c) == ""


def test_an_unsubscribe_stays_when_the_address_is_saved_again(rem):
    c, _ = _reminded(rem, "ap@acme.test, boss@acme.test")
    with in_tenant(rem.business):
        ReminderContact.objects.filter(email="boss@acme.test").update(
            unsubscribed_at=rem.business.created_at)
        contacts_set(actor=rem.owner, customer=c, emails="ap@acme.test, boss@acme.test")
        boss = ReminderContact.objects.get(email="boss@acme.test")
        assert boss.unsubscribed_at is not None and not boss.deliverable
    # Only the unsubscribed address: the page does not promise reminders that cannot go.
    page = client_for(rem.business, rem.owner).post(
        f"/customers/{c.pk}/contacts/", {"emails": "boss@acme.test"}, follow=True)
    text = page.content.decode()
    assert "reminders resume" not in text and "boss@acme.test unsubscribed" in text
    with in_tenant(rem.business):
        assert not ReminderContact.objects.get(email="boss@acme.test").deliverable


def test_a_late_bounce_for_a_removed_address_does_not_stop_the_customer(rem, settings):
    c, sent = _reminded(rem, "old@acme.test")
    with in_tenant(rem.business):
        contacts_set(actor=rem.owner, customer=c, emails="new@acme.test")
    _bounce(settings, sent["old@acme.test"].send_id, "old@acme.test", kind="HardBounce")
    assert _stopped(rem, c) == ""
    with in_tenant(rem.business):
        assert ReminderContact.objects.get(email="old@acme.test").bounced_at is not None
        (e,) = reminders_plan(rem.today + timedelta(days=6), {}).sendable
        assert [x.email for x in e.contacts] == ["new@acme.test"]
