"""Storing a verified tracking event against its delivery, and the delivery rules that follow
from one — shared by the digest and the collections reminders (each passes its own models)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from apps.integrations.mail.delivery import TRACKING_RANK, tracking_dedupe_key
from apps.integrations.mail.models import DeliveryState


def tracking_event_store(event: Any, esp_name: str, *, deliveries: QuerySet, events: QuerySet,
                         **extra: Any) -> tuple[Model | None, Model | None, bool]:
    """(delivery, event row, created) — the delivery found by our `send_id` (metadata), else by
    the provider's message id; (None, None, False) for mail that isn't in `deliveries`.
    Idempotent: providers retry webhooks."""
    metadata = getattr(event, "metadata", None) or {}
    delivery = None
    if metadata.get("send_id"):
        delivery = deliveries.filter(send_id=metadata["send_id"]).first()
    if delivery is None and event.message_id:
        delivery = deliveries.filter(message_id=event.message_id).first()
    if delivery is None:
        return None, None, False
    row, created = events.get_or_create(
        dedupe_key=tracking_dedupe_key(event, esp_name),
        defaults={"delivery": delivery, "event_type": event.event_type, "esp": esp_name,
                  "occurred_at": event.timestamp, "recipient": event.recipient or "",
                  "description": (event.description or event.mta_response or "")[:2000],
                  **extra})
    return delivery, row, created


def delivery_apply_event(delivery: Model, event_type: str) -> bool:
    """Keep the strongest event; a delivery we could not confirm (`sending`/`unknown`) was sent
    after all. Returns True when the state changed that way."""
    fields = []
    if TRACKING_RANK.get(event_type, 0) >= TRACKING_RANK.get(delivery.last_event, 0):
        delivery.last_event = event_type
        fields.append("last_event")
    proven = delivery.state in (DeliveryState.SENDING, DeliveryState.UNKNOWN)
    if proven:
        delivery.state = DeliveryState.SENT
        fields.append("state")
    if fields:
        delivery.save(update_fields=fields)
    return proven


def deliveries_reconcile_sending(deliveries: QuerySet) -> None:
    """Deliveries left `sending` by a dead worker: proven sent by a tracking event, else
    `unknown` — never handed to the provider a second time."""
    for d in deliveries.filter(state=DeliveryState.SENDING):
        proven = d.events.exists()
        d.state = DeliveryState.SENT if proven else DeliveryState.UNKNOWN
        d.error = "" if proven else "worker stopped between handing over and recording the send"
        d.save(update_fields=["state", "error"])
