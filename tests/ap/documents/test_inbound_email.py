"""Bills by email: anymail's Postmark inbound webhook, verified by basic auth first."""

import base64
import json

from django.core import mail

from tests.bench.documents_corpus import corpus, render_pdf
from tests.utils import client_for, in_tenant

URL = "/webhooks/email/inbound/postmark/"
AUTH = "Basic " + base64.b64encode(b"dev-webhook-user:dev-webhook-pass").decode()


def _message(to, attachments=()):
    return {
        "FromFull": {"Email": "ap@vendor.test", "Name": "Vendor"},
        "ToFull": [{"Email": to, "Name": ""}], "Subject": "Your bill", "TextBody": "attached",
        "Headers": [], "MessageID": "m-1",
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
