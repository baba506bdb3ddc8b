"""The outbox kind `bill.create`: a bill approved from a document, written to QBO once.

- The QBO Bill is created with the action key as `requestid` and in `PrivateNote`, so a retry
  after a lost response returns QBO's first answer and the reconciler can find it.
- The document's bytes are then uploaded and linked to the Bill (`POST upload`, multipart) with
  the requestid `<key>-att` and the key in the Attachable's `Note`. A lost upload answer leaves
  the action `unknown`; the reconciler's finder finds the Bill, looks for an Attachable on it
  carrying the key and uploads the file only when there is none: one Bill, one attachment.
- A file QBO refuses (or that vanished from our storage) does not undo the Bill: the action
  succeeds and the document's event records why the attachment is missing.
- After success the placeholder bill in Oodaloo takes the real QBO id.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.db import transaction

from apps.integrations.qbo import writes
from apps.integrations.qbo.errors import QboError
from apps.integrations.sync import outbox

log = logging.getLogger(__name__)
KIND = "bill.create"
EXPENSE_ACCOUNT_NAMES = ("Uncategorized Expense", "Purchases", "Cost of Goods Sold")


def payload_for(document: Any, bill: Any, vendor: Any) -> dict[str, Any]:
    return {
        "document_id": document.pk, "bill_id": bill.pk, "vendor": vendor.qbo_id,
        "doc_number": bill.doc_number, "txn_date": bill.txn_date.isoformat(),
        "due_date": bill.due_date.isoformat() if bill.due_date else None,
        "total": str(bill.total), "currency": bill.currency,
        "file_name": document.original_name, "content_type": document.content_type,
        "size": document.size, "sha256": document.sha256,
    }


def _expense_account(client: Any) -> str:
    for name in EXPENSE_ACCOUNT_NAMES:
        rows = client.query(f"SELECT * FROM Account WHERE Name = '{name}'")
        if rows:
            return str(rows[0]["Id"])
    rows = client.query("SELECT * FROM Account WHERE AccountType = 'Expense' MAXRESULTS 1")
    if not rows:
        raise outbox.OutboxError("QuickBooks has no expense account to put the bill on")
    return str(rows[0]["Id"])


def bill_body(action: Any, account_id: str) -> dict[str, Any]:
    p = action.payload or {}
    amount = outbox.payload_amount(p.get("total"), "total")
    return writes.expense_bill(
        vendor=p["vendor"], txn_date=p["txn_date"], amount=amount, account=account_id,
        description=f"From {p.get('file_name') or 'document'}", note=outbox.action_note(action),
        doc_number=p.get("doc_number") or "", due_date=p.get("due_date") or "",
        currency=p.get("currency") or "")


class AttachmentPending(RuntimeError):
    """The Bill is in QBO but its file could not be attached yet (transient). Deliberately not
    a QboError: the reconciler must not read it as "lookup failed" and re-send the Bill."""


def attachment_note(action: Any) -> str:
    p = action.payload or {}
    return (f"Bill document from Oodaloo (sha256 {p.get('sha256', '')}); "
            f"{outbox.NOTE_PREFIX}{action.key}")


def _document_bytes(action: Any) -> bytes:
    """The document's file, checked against the SHA-256 taken at intake."""
    from apps.ap.documents.models import Document

    p = action.payload or {}
    document = Document.objects.filter(pk=p.get("document_id")).first()
    if document is None or not document.file:
        raise outbox.OutboxError("the bill's document is gone from Oodaloo")
    try:
        with document.file.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise outbox.OutboxError(f"the bill's document file cannot be read: {exc}") from exc
    if p.get("sha256") and hashlib.sha256(data).hexdigest() != p["sha256"]:
        raise outbox.OutboxError("the bill's document file changed since it was received")
    return data


def _upload(client: Any, action: Any, bill_id: str) -> dict[str, Any]:
    """Upload the document to the Bill. Definite refusals come back as `{"_error": ...}`
    (the Bill stands); transient failures raise (the action stays open for the reconciler)."""
    p = action.payload or {}
    try:
        data = _document_bytes(action)
        return client.upload_attachment(
            entity="Bill", entity_id=bill_id, filename=p.get("file_name") or "bill.pdf",
            content_type=p.get("content_type") or "application/pdf", data=data,
            request_id=f"{action.key}-att", note=attachment_note(action),
        )
    except (outbox.OutboxError, *outbox.DEFINITE_FAILURES) as exc:
        log.warning("bill %s: document not attached: %s", action.key, exc)
        return {"_error": outbox.readable_error(exc)}


def _attachment_on(client: Any, action: Any, bill_id: str) -> dict[str, Any] | None:
    """The Attachable this action already put on the Bill, if any."""
    rows = client.query("SELECT * FROM Attachable WHERE AttachableRef.EntityRef.value = "
                        f"'{bill_id}'")
    marker = f"{outbox.NOTE_PREFIX}{action.key}"
    for row in rows:
        refs = row.get("AttachableRef") or []
        on_bill = any((r.get("EntityRef") or {}).get("type") == "Bill" for r in refs)
        if on_bill and str(row.get("Note") or "").endswith(marker) and row.get("FileName"):
            return row
    return None


def _ensure_attachment(client: Any, action: Any, bill: dict[str, Any]) -> dict[str, Any]:
    bill_id = str(bill["Id"])
    try:
        attachable = _attachment_on(client, action, bill_id) or _upload(client, action, bill_id)
    except QboError as exc:
        raise AttachmentPending(f"bill {bill_id} is in QuickBooks; attaching: {exc}") from exc
    return {**bill, "_attachable": attachable}


def bill_create_send(client: Any, action: Any) -> dict[str, Any]:
    """Handler: create the Bill, then upload its document; both idempotent by requestid."""
    bill = client.create("Bill", bill_body(action, _expense_account(client)),
                         request_id=action.key)
    try:
        attachable = _upload(client, action, str(bill["Id"]))
    except QboError as exc:
        # The Bill exists: whatever went wrong (even a 401), the action must end `unknown` so
        # the reconciler goes through the finder, never a blind re-send of the Bill.
        raise AttachmentPending(f"bill {bill['Id']} is in QuickBooks; attaching: {exc}") from exc
    return {**bill, "_attachable": attachable}


def bill_create_find(client: Any, action: Any) -> list[dict[str, Any]]:
    """Bills in QBO that carry this action's key (for the reconciler), each with its document
    attached: a Bill found without the upload gets it now (exactly once, see the module doc)."""
    found = outbox.find_by_note(client, "Bill", (action.payload or {})["txn_date"], action)
    return [_ensure_attachment(client, action, bill) for bill in found[:1]] + found[1:]


def bill_create_after(ctx: Any, action: Any) -> None:
    """QBO accepted the bill: give the placeholder bill its QBO id (unless a sync got there
    first, in which case the document points at the synced bill and the placeholder goes)."""
    from apps.ap.documents.models import Document, DocumentEvent
    from apps.ap.models import Bill

    result = action.result or {}
    qbo_id = str(result.get("Id") or "")
    if not qbo_id:
        return
    p = action.payload or {}
    with transaction.atomic():
        placeholder = Bill.objects.select_for_update().filter(pk=p.get("bill_id")).first()
        synced = Bill.objects.filter(realm_id=ctx.realm_id, qbo_id=qbo_id).first()
        document = Document.objects.filter(pk=p.get("document_id")).first()
        if synced is not None and placeholder is not None and synced.pk != placeholder.pk:
            if document is not None:
                Document.objects.filter(pk=document.pk).update(bill=synced)
            placeholder.delete()
        elif placeholder is not None:
            placeholder.qbo_id = qbo_id
            placeholder.sync_token = str(result.get("SyncToken") or "")
            placeholder.save(update_fields=["qbo_id", "sync_token", "synced_at"])
        if document is not None:
            attachable = result.get("_attachable") or {}
            detail = {"qbo_id": qbo_id, "attachable": str(attachable.get("Id") or "")}
            if attachable.get("_error"):
                detail["attachable_error"] = attachable["_error"]
            DocumentEvent.objects.create(document=document, kind="qbo_bill_created",
                                         detail=detail)
