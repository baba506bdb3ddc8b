"""The whole flow with the Django test client: owner uploads in the portal, the worker reads
it, staff (2FA) claim, correct and approve in the admin queue; the bill exists once in
Oodaloo and once in the QBO sandbox with its file attached; retries and double submits add
nothing."""

import hashlib
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.integrations.sync.models import Action
from apps.integrations.sync.outbox import action_execute, action_reconcile
from apps.review.models import ReviewTask
from tests.ap.documents.helpers import staff_client
from tests.bench.documents_corpus import corpus, render_pdf
from tests.utils import client_for, in_tenant


def _upload(tenant, owner, data, name="bill.pdf"):
    client = client_for(tenant, owner)
    return client.post("/documents/", {"files": [SimpleUploadedFile(name, data)]}, follow=True)


def _process_all(tenant):
    from apps.ap.documents.models import Document
    from apps.ap.documents.services import document_process

    with in_tenant(tenant):
        for pk in Document.objects.unfinished().values_list("pk", flat=True):
            document_process(document_id=pk)


def test_claim_correct_approve_creates_the_bill_once(tenant_a, owner_a, sandbox):
    from apps.ap.documents.models import Document
    from apps.ap.models import Bill

    sample = corpus(3)[2]
    data = render_pdf(sample)
    page = _upload(tenant_a, owner_a, data)
    assert b"received; we are reading it now" in page.content
    again = _upload(tenant_a, owner_a, data)  # double submit: nothing new
    assert b"already received" in again.content
    _process_all(tenant_a)
    task = ReviewTask.objects.get(business=tenant_a)
    assert task.state == "open" and task.confidence >= 0.8

    staff, user = staff_client()
    other, _ = staff_client("second@oodaloo.test")
    queue = staff.get("/admin/review/reviewtask/")
    assert queue.status_code == 200 and b"Alpha Studio" in queue.content
    url = f"/admin/review/reviewtask/{task.pk}/change/"
    assert staff.post(url, {"do": "claim"}).status_code == 302
    blocked = other.post(url, {"do": "claim"}, follow=True)
    assert b"reviewer@oodaloo.test is working on this document" in blocked.content
    form = staff.get(url)
    assert b"Approve and create bill" in form.content
    assert staff.get(f"/admin/review/reviewtask/{task.pk}/page/1.png")["Content-Type"] == (
        "image/png")
    with in_tenant(tenant_a):
        doc = Document.objects.get()
        vendor_id = doc.vendor_id
    fields = {"do": "approve", "vendor_id": vendor_id, "bill_number": sample.number,
              "bill_date": sample.bill_date.isoformat(),
              "due_date": sample.due_date.isoformat(), "total": "123.45",  # corrected
              "currency": sample.currency}
    assert other.post(url, fields, follow=True).status_code == 200  # not the claimant
    assert Action.objects.filter(business=tenant_a).count() == 0
    done = staff.post(url, fields)
    assert done.status_code == 302
    staff.post(url, fields)  # double submit
    action = Action.objects.get(business=tenant_a, kind="bill.create")
    action_execute(action)
    action.refresh_from_db()
    assert action.state == "succeeded", action.error
    action_execute(action)  # a retried task
    action.state = Action.State.UNKNOWN  # as if the response had been lost
    action.save(update_fields=["state"])
    action_reconcile(action)
    action.refresh_from_db()
    assert action.state == "succeeded"

    from apps.integrations.sync.connection import qbo_client_for

    qbo = qbo_client_for(tenant_a)
    bills = [b for b in qbo.query("SELECT * FROM Bill") if b.get("DocNumber") == sample.number]
    assert len(bills) == 1 and Decimal(str(bills[0]["TotalAmt"])) == Decimal("123.45")
    attachments = qbo.query("SELECT * FROM Attachable")
    assert [a["AttachableRef"][0]["EntityRef"]["value"] for a in attachments] == [bills[0]["Id"]]
    # The file itself arrived: QBO's download gives back exactly the uploaded bytes.
    assert attachments[0]["Size"] == len(data) and attachments[0]["ContentType"] == (
        "application/pdf")
    downloaded = qbo.download_attachment(attachments[0]["Id"])
    assert hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(data).hexdigest()
    with in_tenant(tenant_a):
        bill = Bill.objects.get()
        assert bill.qbo_id == bills[0]["Id"] and bill.total == Decimal("123.45")
        assert Document.objects.get().bill_id == bill.pk
    listing = client_for(tenant_a, owner_a).get("/documents/")
    assert b"Bill created" in listing.content
    task.refresh_from_db()
    assert task.state == "approved"


def test_reject_shows_the_reason_to_the_owner(tenant_a, owner_a, sandbox):
    _upload(tenant_a, owner_a, render_pdf(corpus(2)[1]))
    _process_all(tenant_a)
    task = ReviewTask.objects.get(business=tenant_a)
    staff, _ = staff_client()
    url = f"/admin/review/reviewtask/{task.pk}/change/"
    staff.post(url, {"do": "claim"})
    staff.post(url, {"do": "reject", "reason": "This is a quote, not a bill."})
    task.refresh_from_db()
    assert task.state == "rejected"
    listing = client_for(tenant_a, owner_a).get("/documents/")
    assert b"Rejected" in listing.content and b"This is a quote, not a bill." in listing.content
    from apps.core.models import AuditEvent

    assert {"review.claim", "document.reject"} <= set(
        AuditEvent.objects.values_list("action", flat=True))


def test_bad_uploads_get_clear_messages_and_nothing_sticks(tenant_a, owner_a, sandbox):
    from apps.ap.documents.models import Document

    page = _upload(tenant_a, owner_a, b"this is not a pdf", "bill.pdf")
    assert b"not a PDF, PNG or JPEG" in page.content
    _upload(tenant_a, owner_a, b"%PDF-1.7\n1 0 obj garbage", "broken.pdf")
    _process_all(tenant_a)
    with in_tenant(tenant_a):
        doc = Document.objects.get()
        assert doc.state == "invalid" and "damaged" in doc.state_reason
        assert not Document.objects.unfinished().exists()
    assert not ReviewTask.objects.filter(business=tenant_a).exists()
    listing = client_for(tenant_a, owner_a).get("/documents/")
    assert b"Could not be used" in listing.content


def test_other_business_cannot_see_the_file(tenant_a, tenant_b, owner_a, owner_b, sandbox):
    from apps.ap.documents.models import Document

    _upload(tenant_a, owner_a, render_pdf(corpus(1)[0]))
    with in_tenant(tenant_a):
        pk = Document.objects.get().pk
    assert client_for(tenant_a, owner_a).get(f"/documents/{pk}/file/").status_code == 200
    assert client_for(tenant_a, owner_b).get(f"/documents/{pk}/file/").status_code == 404
