"""The outbox kind `invoice.send`: QuickBooks emails an invoice (``{"invoice", "send_to"?}``,
QBO ids). QBO's send call has no note to carry the action's key, so the finder reads the
invoice: sent (EmailStatus) and changed since the action was made."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

KIND = "invoice.send"


def invoice_send(client: Any, action: Any) -> dict[str, Any]:
    p = action.payload or {}
    return client.send_invoice(
        str(p["invoice"]), send_to=p.get("send_to") or None, request_id=action.key
    )


def invoice_find(client: Any, action: Any) -> list[dict[str, Any]]:
    invoice = client.read("Invoice", str((action.payload or {})["invoice"]))
    meta = invoice.get("MetaData") or {}
    stamp = str(meta.get("LastUpdatedTime") or "")
    sent_after = (action.created_at - timedelta(minutes=5)).isoformat()
    if invoice.get("EmailStatus") == "EmailSent" and stamp and stamp >= sent_after[:19]:
        return [invoice]
    return []
