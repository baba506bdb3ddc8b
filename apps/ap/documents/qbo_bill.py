"""The outbox kind `bill.create`: a bill approved from a document, written to QBO once.

- The QBO Bill is created with the action key as `requestid` and in `PrivateNote`, so a retry
  after a lost response returns QBO's first answer and the reconciler can find it.
- The document is attached by creating an `Attachable` (AttachableRef → the Bill) with its own
  requestid. Real QBO uploads the bytes with `POST /v3/company/{realm}/upload` (multipart); the
  local sandbox has no such endpoint yet, so only the Attachable record is written (see
  docs/documents.md, "QBO attachments").
- After success the placeholder bill in Oodaloo takes the real QBO id.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from apps.integrations.sync import outbox, sinks

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
    amount = outbox._decimal(p.get("total"), "total")
    body: dict[str, Any] = {
        "VendorRef": {"value": str(p["vendor"])},
        "TxnDate": p["txn_date"],
        "Line": [{
            "Amount": amount,
            "DetailType": "AccountBasedExpenseLineDetail",
            "Description": f"From {p.get('file_name') or 'document'}",
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account_id}},
        }],
        "PrivateNote": f"{outbox.NOTE_PREFIX}{action.key}",
    }
    if p.get("doc_number"):
        body["DocNumber"] = str(p["doc_number"])[:21]  # QBO's DocNumber limit
    if p.get("due_date"):
        body["DueDate"] = p["due_date"]
    if p.get("currency"):
        body["CurrencyRef"] = {"value": p["currency"]}
    return body


def attachable_body(action: Any, bill_id: str) -> dict[str, Any]:
    p = action.payload or {}
    return {
        "AttachableRef": [{"EntityRef": {"type": "Bill", "value": bill_id},
                           "IncludeOnSend": False}],
        "FileName": p.get("file_name") or "bill.pdf",
        "ContentType": p.get("content_type") or "application/pdf",
        "Size": p.get("size"),
        "Note": f"Bill document from Oodaloo (sha256 {p.get('sha256', '')}); "
                f"{outbox.NOTE_PREFIX}{action.key}",
    }


def bill_create_send(client: Any, action: Any) -> dict[str, Any]:
    """Handler: create the Bill, then its Attachable; both idempotent by requestid."""
    bill = client.create("Bill", bill_body(action, _expense_account(client)),
                         request_id=action.key)
    attachable = client.create("Attachable", attachable_body(action, str(bill["Id"])),
                               request_id=f"{action.key}-att")
    return {**bill, "_attachable": attachable}


def bill_create_find(client: Any, action: Any) -> list[dict[str, Any]]:
    """Bills in QBO that carry this action's key (for the reconciler)."""
    p = action.payload or {}
    note = f"{outbox.NOTE_PREFIX}{action.key}"
    found = []
    for page in client.query_all("Bill", where=f"TxnDate = '{p['txn_date']}'"):
        found.extend(row for row in page if str(row.get("PrivateNote") or "") == note)
    return found


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
            DocumentEvent.objects.create(
                document=document, kind="qbo_bill_created",
                detail={"qbo_id": qbo_id,
                        "attachable": str((result.get("_attachable") or {}).get("Id") or "")},
            )


def register() -> None:
    """Make `bill.create` a known outbox kind. Idempotent. Called on import of the document
    services; ApConfig.ready should call it too so every worker knows the kind."""
    outbox.HANDLERS.setdefault(KIND, (bill_create_send, bill_create_find))
    if bill_create_after not in sinks.after_action_hooks(KIND):
        sinks.register_after_action(KIND, bill_create_after)
