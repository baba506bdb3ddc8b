"""QBO webhooks: signature check and parsing of both payload formats.

- Signature: header ``intuit-signature`` = base64(HMAC-SHA256(verifier token, raw body)).
  Verify the exact bytes received, before parsing anything.
- Current format (CloudEvents, mandatory since 2026): a JSON array of events
  ``{"specversion": "1.0", "id", "type": "qbo.<entity>.<verb>.v1", "time",
  "intuitentityid", "intuitaccountid" (the realm), "data": {}}``; one delivery can span realms.
- Legacy format: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities":
  [{"name", "id", "operation", "lastUpdated"}]}}]}``.

Webhooks carry only ids: the sync fetches the entities afterwards (CDC or read).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apps.integrations.qbo.reader import iso_timestamp

SIGNATURE_HEADER = "intuit-signature"

# Canonical QBO entity names by their lower-case form (CloudEvents types are lower case).
_ENTITY_NAMES = {
    name.lower(): name
    for name in (
        "Account Bill BillPayment Budget Class CompanyCurrency CompanyInfo CreditCardPayment "
        "CreditMemo Currency Customer Department Deposit Employee Estimate ExchangeRate "
        "Invoice Item JournalCode JournalEntry "
        "Payment PaymentMethod Preferences Purchase PurchaseOrder RefundReceipt "
        "SalesReceipt TaxAgency Term TimeActivity Transfer Vendor VendorCredit"
    ).split()
}
_VERBS = {
    "created": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "merged": "Merge",
    "voided": "Void",
    "emailed": "Emailed",
}


class WebhookPayloadError(ValueError):
    """The (already verified) body is not a QBO webhook payload we understand."""


@dataclass(frozen=True)
class EntityChange:
    realm_id: str
    entity: str  # canonical QBO name, e.g. "BillPayment"
    id: str
    operation: str  # Create | Update | Delete | Merge | Void | Emailed
    last_updated: datetime | None
    event_id: str = ""  # CloudEvents id (de-duplicate on it); "" for legacy
    deleted_id: str = ""  # legacy Merge: the id that was merged away


def sign(body: bytes, verifier_token: str) -> str:
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(body: bytes, signature_header: str | None, verifier_token: str) -> bool:
    """True when the header is the base64 HMAC-SHA256 of ``body`` (constant-time compare)."""
    if not signature_header or not verifier_token:
        return False
    expected = sign(body, verifier_token).encode("ascii")
    return hmac.compare_digest(expected, signature_header.strip().encode("ascii", "replace"))


def _entity_name(raw: str) -> str:
    return _ENTITY_NAMES.get(raw.lower(), raw[:1].upper() + raw[1:])




def _from_cloudevent(event: Any) -> EntityChange:
    if not isinstance(event, dict):
        raise WebhookPayloadError("CloudEvent is not an object")
    parts = str(event.get("type", "")).split(".")
    # qbo.<entity>.<verb>.v1
    if len(parts) < 3 or parts[0] != "qbo":
        raise WebhookPayloadError(f"unexpected CloudEvent type {event.get('type')!r}")
    entity, verb = parts[1], parts[2]
    realm = event.get("intuitaccountid")
    entity_id = event.get("intuitentityid")
    if realm in (None, "") or entity_id in (None, ""):
        raise WebhookPayloadError("CloudEvent lacks intuitaccountid or intuitentityid")
    return EntityChange(
        realm_id=str(realm),
        entity=_entity_name(entity),
        id=str(entity_id),
        operation=_VERBS.get(verb.lower(), verb[:1].upper() + verb[1:]),
        last_updated=iso_timestamp(event.get("time")),
        event_id=str(event.get("id") or ""),
    )


def _from_legacy(payload: dict[str, Any]) -> list[EntityChange]:
    changes = []
    for notification in payload.get("eventNotifications") or []:
        if not isinstance(notification, dict):
            raise WebhookPayloadError("eventNotification is not an object")
        realm = notification.get("realmId")
        if realm in (None, ""):
            raise WebhookPayloadError("eventNotification lacks realmId")
        event = notification.get("dataChangeEvent") or {}
        for item in event.get("entities") or []:
            if not isinstance(item, dict) or item.get("id") in (None, "") or not item.get("name"):
                raise WebhookPayloadError(f"entity change without name/id: {item!r}")
            changes.append(
                EntityChange(
                    realm_id=str(realm),
                    entity=_entity_name(str(item["name"])),
                    id=str(item["id"]),
                    operation=str(item.get("operation") or ""),
                    last_updated=iso_timestamp(item.get("lastUpdated")),
                    deleted_id=str(item.get("deletedId") or ""),
                )
            )
    return changes


def parse_notifications(body: bytes | str) -> list[EntityChange]:
    """All entity changes in one delivery, whichever format it uses (may span realms)."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise WebhookPayloadError(f"body is not JSON: {exc}") from exc
    if isinstance(payload, list):
        return [_from_cloudevent(event) for event in payload]
    if isinstance(payload, dict) and "eventNotifications" in payload:
        return _from_legacy(payload)
    if isinstance(payload, dict) and payload.get("specversion"):
        return [_from_cloudevent(payload)]  # a single event, not wrapped in an array
    raise WebhookPayloadError("neither a CloudEvents array nor an eventNotifications object")


def changes_by_realm(changes: list[EntityChange]) -> dict[str, dict[str, set[str]]]:
    """Group changes as {realm: {entity: {ids}}}, de-duplicated — what a targeted fetch needs."""
    grouped: dict[str, dict[str, set[str]]] = {}
    for change in changes:
        grouped.setdefault(change.realm_id, {}).setdefault(change.entity, set()).add(change.id)
    return grouped
