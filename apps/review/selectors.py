"""Reads for the staff queue: the task's document and vendors, from the business's schema."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from apps.core.services.audit import audit_record
from apps.review.models import ReviewTask


def review_document(task: ReviewTask) -> Any:
    from apps.ap.documents.models import Document

    with tenant_context(task.business):
        document = Document.objects.select_related("vendor", "bill").get(pk=task.document_id)
        document.event_list = list(document.events.all())
    return document


def review_vendor_choices(task: ReviewTask) -> list[tuple[int, str]]:
    """Only this business's vendors can be picked for its bill."""
    from apps.ap.models import Vendor

    with tenant_context(task.business):
        return list(
            Vendor.objects.filter(is_deleted=False, active=True)
            .order_by("display_name").values_list("id", "display_name")
        )


def review_document_bytes(task: ReviewTask, *, actor: Any) -> tuple[bytes, str, str]:
    """The stored file (audited: staff looked at a business's document)."""
    document = review_document(task)
    with tenant_context(task.business):
        with document.file.open("rb") as handle:
            data = handle.read()
    audit_record(actor=actor, action="review.document_view", business=task.business,
                 obj=task, after={"document": task.document_id})
    return data, document.content_type, document.original_name
