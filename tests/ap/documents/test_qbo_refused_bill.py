"""QuickBooks refuses an approved document's bill (here: its vendor was made inactive in QBO, a
real refusal of the sandbox, code 610): the placeholder bill leaves the books, the document and
its review task go back to staff with QuickBooks' reason, and a new approval sends a new bill.
A bill QuickBooks has not accepted yet can be neither approved, scheduled nor paid."""

from datetime import timedelta
from decimal import Decimal

import pytest
import requests

from apps.core.errors import Conflict
from apps.integrations.sync.models import Action
from apps.integrations.sync.outbox import action_execute, action_reconcile
from apps.review.models import ReviewTask
from apps.review.services import review_task_approve, review_task_claim, review_task_reject
from tests.bench.documents_corpus import corpus, render_pdf
from tests.factories import UserFactory
from tests.factories.bank import AccountFactory
from tests.utils import client_for, in_tenant


def _read_document(tenant, owner):
    """A bill uploaded by the owner and read: its review task and the sample it was made of."""
    from apps.ap.documents.services import document_process, document_receive

    sample = corpus(2)[1]
    with in_tenant(tenant):
        document = document_receive(name="bill.pdf", data=render_pdf(sample), source="upload",
                                    actor=owner).document
        document_process(document_id=document.pk)
    return ReviewTask.objects.get(business=tenant, document_id=document.pk), sample


def _fields(tenant, sample, vendor_qbo_id):
    from apps.ap.models import Vendor

    with in_tenant(tenant):
        vendor = Vendor.objects.get(qbo_id=vendor_qbo_id)
    return {"vendor_id": vendor.pk, "bill_number": sample.number,
            "bill_date": sample.bill_date.isoformat(), "total": "99.10", "currency": "USD"}


def _approve(task, staff, fields):
    review_task_claim(task_id=task.pk, actor=staff)
    review_task_approve(task_id=task.pk, actor=staff, values=fields)
    return Action.objects.filter(business=task.business, kind="bill.create").latest("pk")


def test_a_bill_quickbooks_refuses_leaves_the_books_and_goes_back_to_staff(
    tenant_a, owner_a, sandbox
):
    from apps.ap.documents.models import Document, DocumentEvent
    from apps.ap.models import Bill
    from apps.core.models import AuditEvent

    task, sample = _read_document(tenant_a, owner_a)
    staff = UserFactory(email="reviewer@oodaloo.test", superuser=True)
    # The owner made the vendor inactive in QuickBooks after our last sync.
    made_inactive = requests.post(f"{sandbox.base_url}/_sandbox/mutate", timeout=5, json={
        "entity": "Vendor", "id": "1", "set": {"Active": False}})
    assert made_inactive.status_code == 200
    action = _approve(task, staff, _fields(tenant_a, sample, "1"))
    with in_tenant(tenant_a):
        document = Document.objects.get(pk=task.document_id)
        placeholder = document.bill
        assert placeholder.qbo_id.startswith("pending-") and Bill.objects.open().count() == 1

    action_execute(action)
    action.refresh_from_db()
    assert action.state == "failed" and "made inactive" in action.error
    with in_tenant(tenant_a):
        # Out of the books: nothing counts it, shows it or can pay it.
        assert not Bill.objects.filter(pk=placeholder.pk).exists()
        assert not Bill.objects.open().exists()
        document = Document.objects.get(pk=document.pk)
        assert document.state == "needs_review" and document.bill_id is None
        assert "made inactive" in document.state_reason
        assert "made inactive" in document.review_notes[-1]
        refused = DocumentEvent.objects.get(document=document, kind="qbo_bill_refused")
        assert refused.detail["action"] == action.key and "made inactive" in refused.detail[
            "reason"]
    assert AuditEvent.objects.filter(action="document.qbo_refused",
                                     object_id=str(document.pk)).exists()
    task.refresh_from_db()
    assert task.state == "open" and task.assignee is None and task.decided_at is None
    assert "made inactive" in task.notes[-1]
    page = client_for(tenant_a, owner_a).get("/documents/").content.decode()
    assert "Needs review" in page and "Bill created" not in page and "made inactive" in page

    # A retried task or the reconciler leave the failed action alone: nothing comes back.
    action_execute(action)
    action_reconcile(action)
    with in_tenant(tenant_a):
        assert not Bill.objects.exists()

    # Staff decide again: another vendor this time; a new action, and the bill is in QBO.
    second = _approve(task, staff, _fields(tenant_a, sample, "2"))
    assert second.pk != action.pk and second.key != action.key
    action_execute(second)
    second.refresh_from_db()
    assert second.state == "succeeded", second.error
    with in_tenant(tenant_a):
        document = Document.objects.get(pk=document.pk)
        assert document.state == "approved" and document.state_reason == ""
        assert Bill.objects.get().qbo_id == second.result["Id"] == document.bill.qbo_id
    task.refresh_from_db()
    assert task.state == "approved"


def test_staff_can_reject_a_document_whose_bill_quickbooks_refused(tenant_a, owner_a, sandbox):
    task, sample = _read_document(tenant_a, owner_a)
    staff = UserFactory(email="reviewer@oodaloo.test", superuser=True)
    requests.post(f"{sandbox.base_url}/_sandbox/mutate", timeout=5, json={
        "entity": "Vendor", "id": "1", "set": {"Active": False}})
    action_execute(_approve(task, staff, _fields(tenant_a, sample, "1")))
    review_task_claim(task_id=task.pk, actor=staff)
    review_task_reject(task_id=task.pk, actor=staff, reason="The vendor is no longer used.")
    task.refresh_from_db()
    assert task.state == "rejected"


def test_a_bill_not_yet_in_quickbooks_cannot_be_approved_scheduled_or_paid(
    tenant_a, owner_a, sandbox
):
    from apps.ap.models import Bill
    from apps.ap.services import bill_approve, bill_pay_now, bill_schedule
    from apps.core.dates import local_today

    task, sample = _read_document(tenant_a, owner_a)
    staff = UserFactory(email="reviewer@oodaloo.test", superuser=True)
    action = _approve(task, staff, _fields(tenant_a, sample, "1"))
    limit = Decimal("100000")
    with in_tenant(tenant_a):
        account = AccountFactory()
        bill = Bill.objects.get()
        tomorrow = local_today(tenant_a.timezone) + timedelta(days=1)
        for attempt in (
            lambda: bill_pay_now(actor=owner_a, bill=bill, account=account,
                                 idempotency_key="k1", approval_limit=limit),
            lambda: bill_approve(actor=owner_a, bill=bill, approval_limit=limit),
            lambda: bill_schedule(actor=owner_a, bill=bill, pay_on=tomorrow,
                                  approval_limit=limit),
        ):
            with pytest.raises(Conflict, match="not in QuickBooks yet"):
                attempt()
        assert not Action.objects.filter(business=tenant_a, kind="bill_payment.create").exists()

    action = action_execute(action)  # QBO accepts it: the bill takes its real id, can be paid
    with in_tenant(tenant_a):
        bill = Bill.objects.get()
        pay = bill_pay_now(actor=owner_a, bill=bill, account=account, idempotency_key="k1",
                           approval_limit=limit)
    assert pay.payload["bill"] == bill.qbo_id == action.result["Id"]
