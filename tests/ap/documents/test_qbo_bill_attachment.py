"""`bill.create` uploads the document's bytes to the QBO Bill exactly once, also when the
reconciler finds the Bill already there (with or without its file)."""

import hashlib

import requests

from apps.ap.documents import qbo_bill
from apps.integrations.sync.connection import qbo_client_for
from apps.integrations.sync.models import Action
from apps.integrations.sync.outbox import action_execute, action_reconcile
from tests.bench.documents_corpus import corpus, render_pdf
from tests.utils import in_tenant


def approved_action(tenant, owner):
    """A document received, read and approved: its `bill.create` action, not yet sent."""
    from apps.ap.documents.decisions import bill_values_parse, document_approve
    from apps.ap.documents.models import Document
    from apps.ap.documents.services import document_process, document_receive
    from apps.ap.models import Vendor

    sample = corpus(2)[1]
    data = render_pdf(sample)
    with in_tenant(tenant):
        document = document_receive(name="bill.pdf", data=data, source="upload").document
        document_process(document_id=document.pk)
        values = bill_values_parse({
            "vendor_id": Vendor.objects.order_by("pk").first().pk,
            "bill_number": sample.number, "bill_date": sample.bill_date.isoformat(),
            "total": "99.10", "currency": "USD"})
        document_approve(document_id=document.pk, actor=owner, values=values)
        document = Document.objects.get(pk=document.pk)
    return Action.objects.get(business=tenant, kind="bill.create"), data, document


def attachables_on(qbo, bill_id):
    return qbo.query(f"SELECT * FROM Attachable WHERE AttachableRef.EntityRef.value = '{bill_id}'")


def bills_of(qbo, action):
    return [b for b in qbo.query("SELECT * FROM Bill")
            if b.get("PrivateNote", "").endswith(action.key)]


def test_reconcile_attaches_the_file_to_a_bill_found_without_it(tenant_a, owner_a, sandbox):
    from apps.ap.documents.models import DocumentEvent
    from apps.ap.models import Bill

    action, data, document = approved_action(tenant_a, owner_a)
    qbo = qbo_client_for(tenant_a)
    # The worker created the Bill, then died before uploading: QBO has a Bill with no file.
    qbo.create("Bill", qbo_bill.bill_body(action, "90"), request_id=action.key)
    action.state = Action.State.UNKNOWN
    action.save(update_fields=["state"])

    action_reconcile(action)
    action.refresh_from_db()
    assert action.state == "succeeded" and not action.drift
    [bill] = bills_of(qbo, action)
    [att] = attachables_on(qbo, bill["Id"])
    assert action.result["_attachable"]["Id"] == att["Id"]
    assert att["FileName"] == "bill.pdf" and att["Note"].endswith(action.key)
    assert hashlib.sha256(qbo.download_attachment(att["Id"])).digest() == (
        hashlib.sha256(data).digest())
    with in_tenant(tenant_a):
        assert Bill.objects.get(pk=document.bill_id).qbo_id == bill["Id"]
        event = DocumentEvent.objects.get(document=document, kind="qbo_bill_created")
        assert event.detail["attachable"] == att["Id"]

    uploads = sandbox.stats()["uploads"]
    action_reconcile(action, check_succeeded=True)  # the drift check finds both: no new upload
    action_execute(action)  # a retried task: nothing
    action.refresh_from_db()
    assert not action.drift and sandbox.stats()["uploads"] == uploads
    assert len(attachables_on(qbo, bill["Id"])) == 1 and len(bills_of(qbo, action)) == 1


def test_reconcile_after_qbo_forgot_the_requestids_does_not_upload_twice(
    tenant_a, owner_a, sandbox
):
    action, data, _document = approved_action(tenant_a, owner_a)
    qbo = qbo_client_for(tenant_a)
    with in_tenant(tenant_a):  # the real handler ran fully, but its answer was lost
        qbo_bill.bill_create_send(qbo, action)
    requests.post(f"{sandbox.base_url}/_sandbox/reset", timeout=5)  # requestids forgotten
    action.state = Action.State.UNKNOWN
    action.save(update_fields=["state"])

    action_reconcile(action)
    action.refresh_from_db()
    assert action.state == "succeeded"
    [bill] = bills_of(qbo, action)
    [att] = attachables_on(qbo, bill["Id"])
    assert action.result["_attachable"]["Id"] == att["Id"]
    assert sandbox.stats()["uploads"] == 0 and sandbox.stats()["idempotent_replays"] == 0
    assert qbo.download_attachment(att["Id"]) == data


def test_a_file_changed_in_storage_is_not_attached_but_the_bill_stands(
    tenant_a, owner_a, sandbox
):
    from apps.ap.documents.models import DocumentEvent

    action, _data, document = approved_action(tenant_a, owner_a)
    with in_tenant(tenant_a):
        with document.file.open("wb") as handle:
            handle.write(b"%PDF-1.7 something else entirely")
    action_execute(action)
    action.refresh_from_db()
    assert action.state == "succeeded"
    qbo = qbo_client_for(tenant_a)
    [bill] = bills_of(qbo, action)
    assert attachables_on(qbo, bill["Id"]) == []
    with in_tenant(tenant_a):
        event = DocumentEvent.objects.get(document=document, kind="qbo_bill_created")
        assert event.detail["attachable"] == ""
        assert "changed since it was received" in event.detail["attachable_error"]
