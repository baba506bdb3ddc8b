"""Applying a credit (vendor credit, credit memo, overpayment) to the bill or invoice the tray
offered: one form handler for both sides, through the outbox, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.shortcuts import get_object_or_404

from apps.core.errors import ApplicationError
from apps.portal.common import action_error
from apps.portal.tray import action_done_from_tray


def credit_apply_response(request, *, document_model: Any, label: str, thing: str, what: str,
                          apply: Callable[..., Any], target: tuple[str, int]):
    """`label` ("bill" or "invoice") names the form field, the message and the page to return
    to; `apply(document, amount=, idempotency_key=)` queues the write; `thing`/`what` name the
    credit in the error and in the message."""
    document_id = request.POST.get(label, "")
    document = (get_object_or_404(document_model, pk=int(document_id))
                if document_id.isdigit() else None)
    try:
        if document is None:
            raise ApplicationError(f"Choose the {label} to apply the {thing} to.")
        action = apply(document, amount=request.POST.get("amount") or None,
                       idempotency_key=request.POST.get("key", ""))
    except ApplicationError as exc:
        return action_error(request, exc)
    number = document.doc_number or document.qbo_id
    return action_done_from_tray(
        request,
        f"Applying {action.payload['amount']} of {what} to {label} {number} in QuickBooks.",
        default_next=f"/{label}s/{document.pk}/",
        target=target,
    )
