"""Staff's decisions on a document — approve (a bill in Oodaloo, then in QBO through the outbox)
or reject — and what happens when QBO refuses the bill: the placeholder leaves the books and
the document waits for staff again.

Every change writes a `DocumentEvent` and an audit entry. Functions run inside the business's
schema (tenant_context); the acting user is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.ap.documents import qbo_bill
from apps.ap.documents.models import Document
from apps.ap.documents.services import _email_of, _event, _queue_notify, sender_notify
from apps.ap.models import PENDING_QBO_ID, Bill, BillEvent, Vendor
from apps.core.errors import ApplicationError, Conflict
from apps.core.services.audit import audit_record


@dataclass
class BillValues:
    vendor_id: int
    bill_number: str
    bill_date: date
    due_date: date | None
    total: Decimal
    currency: str


def bill_values_parse(raw: dict[str, Any]) -> BillValues:
    """Validate staff input (from the admin form); messages name the field."""
    def need(name: str) -> Any:
        value = raw.get(name)
        if value in (None, ""):
            raise ApplicationError(f"{name.replace('_', ' ')} is required", code="invalid")
        return value

    try:
        vendor_id = int(need("vendor_id"))
        total = Decimal(str(need("total"))).quantize(Decimal("0.01"))
        bill_date = need("bill_date")
        bill_date = bill_date if isinstance(bill_date, date) else date.fromisoformat(bill_date)
        due = raw.get("due_date") or None
        due = due if due is None or isinstance(due, date) else date.fromisoformat(due)
    except (ValueError, InvalidOperation) as exc:
        raise ApplicationError(f"invalid value: {exc}", code="invalid")
    if total <= 0:
        raise ApplicationError("total must be more than zero", code="invalid")
    if due is not None and due < bill_date:
        raise ApplicationError("due date is before the bill date", code="invalid")
    currency = str(raw.get("currency") or "").upper()[:3]
    return BillValues(vendor_id, str(raw.get("bill_number") or "").strip()[:64], bill_date, due,
                      total, currency)


def _snapshot(document: Document) -> dict[str, Any]:
    return {
        "state": document.state, "vendor_id": document.vendor_id,
        "bill_number": document.bill_number, "bill_date": document.bill_date,
        "due_date": document.due_date, "total": document.total, "currency": document.currency,
    }


def _lock_to_decide(document_id: int, decision: str) -> Document:
    """Lock the document for staff's approve or reject: one still waiting for a decision, or
    one already in the ``decision`` state (a second submit: the caller returns it as it is)."""
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.state != decision and not document.can_decide():
        raise Conflict(f"this document is {document.get_state_display().lower()}")
    return document


def _refuse_approved_twin(document: Document, values: BillValues) -> None:
    """The document it duplicates was approved already (its bill exists): approving this one
    too would put the same bill in the books twice. Fields corrected so that they no longer
    match (another number, amount or date) are a different bill and pass."""
    twin = document.duplicate_of
    if twin is None or twin.state != Document.State.APPROVED:
        return
    same_file = twin.sha256 == document.sha256
    same_vendor = twin.vendor_id == values.vendor_id
    same_number = bool(values.bill_number) and twin.bill_number.lower() == (
        values.bill_number.lower())
    same_amount_date = (twin.total, twin.bill_date) == (values.total, values.bill_date)
    if same_file or (same_vendor and (same_number or same_amount_date)):
        why = "the same file" if same_file else "the same bill"
        raise Conflict(f"document #{twin.pk} ({why}) was already approved and its bill "
                       "created; reject this one as a duplicate", code="duplicate")


def document_approve(*, document_id: int, actor: Any, values: BillValues) -> Document:
    """Create the bill in Oodaloo and, through the outbox, in QBO (with the document attached).
    A second approve (double submit, retry) changes nothing and returns the same document."""
    from apps.integrations.sync.connection import connection_for
    from apps.integrations.sync.outbox import action_create, action_key

    business = connection.tenant
    with transaction.atomic():
        document = _lock_to_decide(document_id, Document.State.APPROVED)
        if document.state == Document.State.APPROVED:
            return document  # a second approve
        _refuse_approved_twin(document, values)
        vendor = Vendor.objects.filter(pk=values.vendor_id, is_deleted=False).first()
        if vendor is None:
            raise ApplicationError("choose one of this business's vendors", code="invalid")
        qbo = connection_for(business)
        if qbo is None:
            raise Conflict("this business is not connected to QuickBooks")
        before = _snapshot(document)
        currency = values.currency or vendor.currency or business.currency
        document.vendor, document.vendor_name = vendor, vendor.display_name
        document.bill_number, document.bill_date = values.bill_number, values.bill_date
        document.due_date, document.total, document.currency = (
            values.due_date, values.total, currency)
        bill = Bill.objects.create(
            realm_id=qbo.realm_id, qbo_id=PENDING_QBO_ID.format(document.pk), vendor=vendor,
            vendor_qbo_id=vendor.qbo_id, doc_number=values.bill_number,
            txn_date=values.bill_date, due_date=values.due_date, total=values.total,
            balance=values.total, currency=currency, home_total=values.total,
            home_balance=values.total, memo=f"From document #{document.pk}",
        )
        BillEvent.objects.create(bill=bill, kind="created_from_document",
                                 actor_email=_email_of(actor), detail={"document": document.pk})
        # One key per approval (the bill is new each time): an approval after QBO refused the
        # first must send a new action, not find the failed one.
        key = action_key(business, "doc", document.pk, bill.pk)
        action_create(
            business, qbo_bill.KIND, qbo_bill.payload_for(document, bill, vendor), key=key,
            target_type="ap.Bill", target_id=str(bill.pk), actor_email=_email_of(actor),
        )
        document.bill, document.action_key = bill, key
        document.state, document.state_reason = Document.State.APPROVED, ""
        document.reviewed_by_email, document.reviewed_at = _email_of(actor), timezone.now()
        document.save()
        _event(document, "approved", _email_of(actor), bill=bill.pk, action=key)
        audit_record(actor=actor, action="document.approve", business=business, obj=document,
                     before=before, after={**_snapshot(document), "bill_id": bill.pk})
        _queue_notify(document)
    return document


def document_reject(*, document_id: int, actor: Any, reason: str) -> Document:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("say why the document is rejected (the owner will see it)",
                               code="invalid")
    with transaction.atomic():
        document = _lock_to_decide(document_id, Document.State.REJECTED)
        if document.state == Document.State.REJECTED:
            return document  # a second reject
        before = _snapshot(document)
        document.state, document.state_reason = Document.State.REJECTED, reason[:2000]
        document.reviewed_by_email, document.reviewed_at = _email_of(actor), timezone.now()
        document.save()
        _event(document, "rejected", _email_of(actor), reason=reason)
        audit_record(actor=actor, action="document.reject", obj=document, before=before,
                     after={"state": document.state, "reason": reason})
        _queue_notify(document)
    if document.source == Document.Source.EMAIL and document.sender_email:
        sender_notify(document.sender_email, f"{document.original_name} was not added",
                      f"Our team could not add this bill: {reason}")
    return document


# --- QBO refused the bill -----------------------------------------------------------------


def document_bill_refused(*, document_id: Any, bill_id: Any, key: str, reason: str) -> None:
    """QBO refused an approved document's bill for good (inactive vendor, validation...): the
    placeholder bill leaves the books (it was never in QBO, so nothing may pay or count it)
    and the document goes back to staff with QBO's reason, its task open again."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        bill = Bill.objects.select_for_update().filter(pk=bill_id).first()
        if bill is not None and bill.awaiting_qbo:
            bill.delete()  # its BillEvents go with it; the document's history keeps the story
        if document is None or document.state != Document.State.APPROVED or (
                document.action_key != key):
            return  # decided again since (or gone): that decision stands
        before = {**_snapshot(document), "bill_id": document.bill_id}
        note = f"The bill was not created in QuickBooks: {reason}"[:2000]
        document.state, document.state_reason = Document.State.NEEDS_REVIEW, note
        document.review_notes = [*document.review_notes, note]
        document.bill = None
        document.save()
        _event(document, "qbo_bill_refused", reason=reason, bill=bill_id, action=key)
        audit_record(actor=None, action="document.qbo_refused", obj=document, before=before,
                     after={"state": document.state, "reason": reason})
        _queue_notify(document)


def bill_create_failed(ctx: Any, action: Any) -> None:
    """The outbox's after-failure hook for `bill.create` (plugged in oodaloo/wiring.py)."""
    p = action.payload or {}
    document_bill_refused(document_id=p.get("document_id"), bill_id=p.get("bill_id"),
                          key=action.key, reason=action.error or "QuickBooks refused the bill")
