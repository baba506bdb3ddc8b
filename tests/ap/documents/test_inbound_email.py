"""Bills by email: anymail's Postmark inbound webhook, verified by basic auth first; only
allowed senders vouched for by SPF/DKIM are read and answered."""

import base64
import json

import pytest
from django.core import mail

from tests.bench.documents_corpus import corpus, render_pdf
from tests.utils import client_for, in_tenant

URL = "/webhooks/email/inbound/postmark/"
AUTH = "Basic " + base64.b64encode(b"dev-webhook-user:dev-webhook-pass").decode()


SPF_PASS = {"Name": "Received-SPF", "Value": "Pass (sender SPF authorized) identity=mailfrom; "
            "client-ip=192.0.2.1; envelope-from=\"bounces@vendor.test\"; receiver=postmark"}


@pytest.fixture(autouse=True)
def vendor_allowed(tenant_a):
    from apps.ap.documents.models import InboundSender

    with in_tenant(tenant_a):
        InboundSender.objects.create(pattern="@vendor.test")


def _message(to, attachments=(), sender="ap@vendor.test", headers=(SPF_PASS,)):
    return {
        "FromFull": {"Email": sender, "Name": "Vendor"},
        "ToFull": [{"Email": to, "Name": ""}], "Subject": "Your bill", "TextBody": "attached",
        "Headers": list(headers), "MessageID": "m-1",
        "Attachments": [{"Name": n, "Content": base64.b64encode(d).decode(),
                         "ContentType": "application/pdf", "ContentLength": len(d)}
                        for n, d in attachments],
    }


def _post(payload, auth=AUTH):
    return client_for(None).post(URL, json.dumps(payload), content_type="application/json",
                                 HTTP_AUTHORIZATION=auth)


def test_attachments_become_documents_once(tenant_a, settings, tmp_path):
    from apps.ap.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    pdf = render_pdf(corpus(1)[0])
    payload = _message("bills+alpha@inbound.oodaloo.localhost",
                       [("bill.pdf", pdf), ("notes.pdf", b"not really a pdf")])
    assert _post(payload).status_code == 200
    assert _post(payload).status_code == 200  # the provider retries: nothing new
    with in_tenant(tenant_a):
        doc = Document.objects.get()
        assert (doc.source, doc.sender_email) == ("email", "ap@vendor.test")
    assert any("notes.pdf: this is not a PDF" in m.body for m in mail.outbox)


def test_email_without_attachment_gets_a_reply(tenant_a):
    assert _post(_message("bills+alpha@inbound.oodaloo.localhost")).status_code == 200
    assert mail.outbox[-1].subject == "No bill attached"
    assert mail.outbox[-1].to == ["ap@vendor.test"]


def test_forged_signature_is_refused_before_reading(tenant_a):
    from apps.ap.documents.models import Document

    forged = "Basic " + base64.b64encode(b"someone:guessing").decode()
    pdf = render_pdf(corpus(1)[0])
    response = _post(_message("bills+alpha@inbound.oodaloo.localhost", [("b.pdf", pdf)]),
                     auth=forged)
    assert response.status_code in (400, 401, 403)
    with in_tenant(tenant_a):
        assert not Document.objects.exists()


def _rejected(tenant, payload, why):
    from apps.ap.documents.models import Document, RejectedEmail

    assert _post(payload).status_code == 200  # the provider must not retry
    with in_tenant(tenant):
        assert not Document.objects.exists()
        rejected = RejectedEmail.objects.get()
        assert why in rejected.reason and rejected.attachments == 1
    assert mail.outbox == []  # nothing answered, so no file name is echoed to anyone


def test_sender_not_allowed_is_rejected_unanswered_and_shown_to_the_owner(tenant_a, owner_a):
    evil = "<script>alert(1)</script>.pdf"
    payload = _message("bills+alpha@inbound.oodaloo.localhost", [(evil, b"%PDF-1.7 x")],
                       sender="billing@stranger.test",
                       headers=[{**SPF_PASS, "Value": SPF_PASS["Value"].replace(
                           "vendor.test", "stranger.test")}])
    _rejected(tenant_a, payload, "not on this business's list")
    page = client_for(tenant_a, owner_a).get("/documents/")
    assert b"billing@stranger.test" in page.content and b"<script>alert" not in page.content


@pytest.mark.parametrize("headers", [
    [],  # no verdict at all
    [{**SPF_PASS, "Value": SPF_PASS["Value"].replace("Pass", "Fail", 1)}],
    # SPF passes, but for someone else's envelope: a spoofed From line
    [{**SPF_PASS, "Value": SPF_PASS["Value"].replace("vendor.test", "attacker.test")}],
    # a forged "pass" below the provider's own (topmost) verdict is not believed
    [{**SPF_PASS, "Value": "SoftFail"}, SPF_PASS],
])
def test_allowed_address_without_the_providers_verdict_is_rejected(tenant_a, headers):
    payload = _message("bills+alpha@inbound.oodaloo.localhost", [("b.pdf", b"%PDF-1.7 x")],
                       headers=headers)
    _rejected(tenant_a, payload, "could not verify the sender")


def test_dkim_pass_for_the_senders_domain_is_enough(tenant_a, settings, tmp_path):
    from apps.ap.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    dkim = {"Name": "Authentication-Results",
            "Value": "mx.postmark; spf=none; dkim=pass header.d=vendor.test header.s=s1"}
    payload = _message("bills+alpha@inbound.oodaloo.localhost",
                       [("bill.pdf", render_pdf(corpus(1)[0]))], headers=[dkim])
    assert _post(payload).status_code == 200
    with in_tenant(tenant_a):
        assert Document.objects.count() == 1


def test_owner_edits_the_allowed_senders_in_settings(tenant_a, owner_a):
    from apps.accounts.models import Role
    from apps.ap.documents.models import InboundSender
    from tests.factories import make_member

    client = client_for(tenant_a, owner_a)
    response = client.post("/settings/inbound-senders/",
                           {"senders": "AP@Vendor.test\n@supplies.test, not an address"})
    assert response.status_code == 400 and b"neither an email address nor @domain" in \
        response.content
    with in_tenant(tenant_a):  # a bad line changes nothing
        assert list(InboundSender.objects.values_list("pattern", flat=True)) == ["@vendor.test"]
    client.post("/settings/inbound-senders/", {"senders": "ap@vendor.test\n@supplies.test"})
    with in_tenant(tenant_a):
        assert sorted(InboundSender.objects.values_list("pattern", flat=True)) == [
            "@supplies.test", "ap@vendor.test"]
    bookkeeper = make_member(tenant_a, Role.BOOKKEEPER)
    refused = client_for(tenant_a, bookkeeper).post("/settings/inbound-senders/",
                                                    {"senders": "@anyone.test"})
    assert refused.status_code in (403, 404)
    with in_tenant(tenant_a):
        assert not InboundSender.objects.filter(pattern="@anyone.test").exists()
