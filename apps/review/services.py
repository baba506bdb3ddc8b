"""The staff review queue: keep tasks in step with documents; claim, release, approve, reject.

Staff reach a business's documents only through a task. Every staff action is audited.
Decisions are made by the document services inside the business's schema.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core.errors import Conflict, PermissionDenied
from apps.core.services.audit import audit_record
from apps.review.models import ReviewTask

STATE_OF_DOCUMENT = {
    "ready": ReviewTask.State.OPEN,
    "needs_review": ReviewTask.State.OPEN,
    "approved": ReviewTask.State.APPROVED,
    "rejected": ReviewTask.State.REJECTED,
}


def review_task_sync(business: Any, document: Any) -> ReviewTask | None:
    """Listener for the document workflow: create or update the document's task."""
    state = STATE_OF_DOCUMENT.get(document.state)
    if state is None:
        return None
    snapshot = {
        "confidence": document.confidence, "document_state": document.state,
        "file_name": document.original_name[:255],
        "vendor_name": (document.vendor.display_name if document.vendor_id else
                        document.vendor_name)[:200],
        "total": document.total, "currency": document.currency,
        "notes": list(document.review_notes or []),
    }
    task, created = ReviewTask.objects.select_for_update().get_or_create(
        business_id=business.pk, document_id=document.pk, defaults={**snapshot, "state": state})
    if created:
        return task
    for name, value in snapshot.items():
        setattr(task, name, value)
    if state != ReviewTask.State.OPEN:
        task.state, task.decided_at = state, task.decided_at or timezone.now()
    elif task.state in (ReviewTask.State.APPROVED, ReviewTask.State.REJECTED):
        # Back in the queue (re-extracted, or QBO refused the approved bill): a fresh start,
        # claimed again by whoever takes it.
        task.state, task.decided_at = ReviewTask.State.OPEN, None
        task.assignee, task.claimed_at = None, None
    task.save()
    return task


def _locked(task_id: int) -> ReviewTask:
    return ReviewTask.objects.select_for_update().select_related("business").get(pk=task_id)


def review_task_claim(*, task_id: int, actor: Any) -> ReviewTask:
    """Take a task. Two staff cannot hold the same task; a claim lapses after CLAIM_TTL."""
    with transaction.atomic():
        task = _locked(task_id)
        if task.state in (ReviewTask.State.APPROVED, ReviewTask.State.REJECTED):
            raise Conflict(f"this document was already {task.state}")
        if not task.can_claim(actor):
            raise Conflict(f"{task.assignee.email} is working on this document",
                           code="claimed")
        before = {"assignee": task.assignee.email if task.assignee else None}
        task.state, task.assignee, task.claimed_at = ReviewTask.State.CLAIMED, actor, timezone.now()
        task.save(update_fields=["state", "assignee", "claimed_at", "updated_at"])
        audit_record(actor=actor, action="review.claim", business=task.business, obj=task,
                     before=before, after={"assignee": actor.email})
    return task


def review_task_release(*, task_id: int, actor: Any) -> ReviewTask:
    with transaction.atomic():
        task = _locked(task_id)
        if task.state != ReviewTask.State.CLAIMED or task.assignee_id != actor.pk:
            return task
        task.state, task.assignee, task.claimed_at = ReviewTask.State.OPEN, None, None
        task.save(update_fields=["state", "assignee", "claimed_at", "updated_at"])
        audit_record(actor=actor, action="review.release", business=task.business, obj=task)
    return task


def review_task_reassign(*, task_id: int, assignee: Any, actor: Any) -> ReviewTask:
    """Staff hand a waiting document to another staff member (their claim starts now)."""
    if not getattr(assignee, "is_staff", False):
        raise Conflict(f"{assignee} is not staff")
    with transaction.atomic():
        task = _locked(task_id)
        if task.state not in (ReviewTask.State.OPEN, ReviewTask.State.CLAIMED):
            raise Conflict(f"this document was already {task.state}")
        before = {"assignee": task.assignee.email if task.assignee else None}
        task.state, task.assignee = ReviewTask.State.CLAIMED, assignee
        task.claimed_at = timezone.now()
        task.save(update_fields=["state", "assignee", "claimed_at", "updated_at"])
        audit_record(actor=actor, action="review.reassign", business=task.business, obj=task,
                     before=before, after={"assignee": assignee.email})
    return task


def _must_hold(task: ReviewTask, actor: Any) -> None:
    if not task.can_decide(actor):
        raise PermissionDenied("claim this document before deciding on it")


def review_task_approve(*, task_id: int, actor: Any, values: dict[str, Any]) -> ReviewTask:
    """Approve with the (corrected) fields: the bill is created in Oodaloo and, through the
    outbox, in QBO. Approving an approved task again changes nothing."""
    from apps.ap.documents.decisions import bill_values_parse, document_approve

    task = ReviewTask.objects.select_related("business").get(pk=task_id)
    if task.state == ReviewTask.State.APPROVED:
        return task
    _must_hold(task, actor)
    parsed = bill_values_parse(values)
    with tenant_context(task.business):
        document_approve(document_id=task.document_id, actor=actor, values=parsed)
    task.refresh_from_db()
    return task


def review_task_reject(*, task_id: int, actor: Any, reason: str) -> ReviewTask:
    from apps.ap.documents.decisions import document_reject

    task = ReviewTask.objects.select_related("business").get(pk=task_id)
    if task.state == ReviewTask.State.REJECTED:
        return task
    _must_hold(task, actor)
    with tenant_context(task.business):
        document_reject(document_id=task.document_id, actor=actor, reason=reason)
    task.refresh_from_db()
    return task
