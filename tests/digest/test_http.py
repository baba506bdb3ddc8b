"""Over real HTTP: one-click unsubscribe without sign-in (RFC 8058), the anymail tracking
webhook's basic-auth check, and the portal pages' access rules."""

import json
import uuid

import pytest
import requests
from django.core import mail
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.core.dates import local_today
from apps.digest.content import week_label
from apps.digest.models import DigestDelivery, DigestRun
from apps.digest.services import digest_recipients, digest_send
from apps.tenancy.models import Business
from tests.digest.seed import clear_books, seed_books
from tests.factories import make_member
from tests.live_server import live_wsgi_server as live_server
from tests.utils import client_for


@pytest.fixture
def sent(transactional_db):
    alpha = Business.objects.get(slug="alpha")
    clear_books(alpha)
    seed_books(alpha, local_today(alpha.timezone))
    owner = make_member(alpha, Role.OWNER)
    week = week_label(local_today(alpha.timezone))
    digest_send(alpha, week)
    yield alpha, owner, week, mail.outbox[-1]
    clear_books(alpha)


def _host(business, port):
    return f"http://127.0.0.1:{port}", {"Host": f"{business.slug}.localhost"}


def test_one_click_unsubscribe_without_sign_in(sent):
    alpha, owner, _, msg = sent
    url = msg.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.split("localhost:8000", 1)[1]
    with live_server() as port:
        base, headers = _host(alpha, port)
        page = requests.get(base + path, headers=headers, timeout=10)
        assert page.status_code == 200 and "Unsubscribe" in page.text
        assert owner.email in {r.email for r in digest_recipients(alpha)}  # GET changes nothing
        # What Gmail/Apple Mail send: a cookie-less POST with this exact body (RFC 8058 §3.2)
        done = requests.post(base + path, data="List-Unsubscribe=One-Click", headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
        assert done.status_code == 200 and "unsubscribed" in done.text
        forged = requests.post(base + path[:-3] + "xx/", data="List-Unsubscribe=One-Click",
                               headers=headers, timeout=10)
        assert forged.status_code == 400
        beta = Business.objects.get(slug="beta")  # a token is only good on its own business
        other = requests.post(base + path, headers={"Host": f"{beta.slug}.localhost"},
                              data="List-Unsubscribe=One-Click", timeout=10)
        assert other.status_code == 400
    assert Membership.objects.get(user=owner, business=alpha).receives_digest is False
    assert owner.email not in {r.email for r in digest_recipients(alpha)}


def _postmark_delivery(send_id: str, recipient: str) -> dict:
    return {"RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound",
            "MessageID": str(uuid.uuid4()), "Recipient": recipient, "Tag": "digest",
            "DeliveredAt": "2026-03-02T17:31:02Z", "Details": "Test delivery",
            "Metadata": {"schema": "alpha", "send_id": send_id}}


def test_tracking_webhook_requires_the_shared_secret(sent, settings):
    alpha, owner, _, _ = sent
    with tenant_context(alpha):
        delivery = DigestDelivery.objects.get()
    body = json.dumps(_postmark_delivery(delivery.send_id, owner.email))
    user, password = settings.ANYMAIL["WEBHOOK_SECRET"].split(":", 1)
    with live_server() as port:
        url = f"http://127.0.0.1:{port}/anymail/postmark/tracking/"
        hdrs = {"Host": "localhost", "Content-Type": "application/json"}
        assert requests.post(url, data=body, headers=hdrs, timeout=10).status_code == 400
        wrong = requests.post(url, data=body, headers=hdrs, auth=(user, "nope"), timeout=10)
        assert wrong.status_code == 400
        with tenant_context(alpha):
            assert not delivery.events.exists()  # nothing read from an unverified call
        ok = requests.post(url, data=body, headers=hdrs, auth=(user, password), timeout=10)
        assert ok.status_code == 200
        again = requests.post(url, data=body, headers=hdrs, auth=(user, password), timeout=10)
        assert again.status_code == 200
    with tenant_context(alpha):
        delivery.refresh_from_db()
        assert delivery.last_event == "delivered" and delivery.events.count() == 1
    owner_client = client_for(alpha, owner)
    history = owner_client.get("/digest/")
    assert history.status_code == 200
    assert b"sent" in history.content and b"<td>1</td><td>1</td>" in history.content


def test_portal_pages_need_membership(sent):
    alpha, owner, week, _ = sent
    page = client_for(alpha, owner).get(f"/digest/{week}/")
    with tenant_context(alpha):
        run = DigestRun.objects.get(key=f"digest:alpha:{week}")
    assert page.status_code == 200 and run.content["runway"]["runway_days"].encode() in page.content
    assert b"<svg" in page.content
    pdf = client_for(alpha, owner).get(f"/digest/{week}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    anonymous = client_for(alpha).get(f"/digest/{week}/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    outsider = make_member(Business.objects.get(slug="beta"), Role.OWNER)
    assert client_for(alpha, outsider).get(f"/digest/{week}/").status_code == 404
    link = run.content["tray"][0]["link"].split("localhost:8000", 1)[1]
    assert client_for(alpha).get(link).status_code == 302  # to sign-in, not to the tray
    go = client_for(alpha, owner).get(link)
    assert go.status_code == 302 and go["Location"].startswith("/tray/?item=")
