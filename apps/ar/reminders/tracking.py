"""Tracking events for reminder emails (delivered, opened, clicked, bounced, complained), from
anymail's verified webhooks — the same endpoint and receiver as the digest, routed by the
metadata we sent (`kind: reminder`, `schema`, `send_id`).

A bounce marks the contact bounced and stops the customer's sequence until the owner fixes the
billing emails (the tray shows "Fix Acme's billing email"); a complaint unsubscribes the contact.
A late bounce stops nothing when the owner already removed the address, or saved it again after
that mail was handed over.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.ar.reminders.models import (
    CustomerReminders,
    ReminderDelivery,
    ReminderEmail,
    ReminderEvent,
)
from apps.core.services.audit import audit_record
from apps.integrations.mail.tracking import delivery_apply_event, tracking_event_store
from apps.tenancy.models import Business

STOPPING = {"bounced", "rejected"}


@dataclass(frozen=True)
class TrackingOutcome:
    business: Business
    event: ReminderEvent
    stopped: bool  # the customer's sequence was stopped by this event


def is_reminder_event(event) -> bool:
    return (getattr(event, "metadata", None) or {}).get("kind") == "reminder"


def reminder_tracking_record(event, esp_name: str) -> TrackingOutcome | None:
    """Store one verified event (idempotent: providers retry); None for mail that isn't ours."""
    metadata = getattr(event, "metadata", None) or {}
    business = Business.objects.filter(schema_name=metadata.get("schema") or "").first()
    if business is None:
        return None
    with tenant_context(business):
        delivery, row, created = tracking_event_store(
            event, esp_name, deliveries=ReminderDelivery.objects, events=ReminderEvent.objects)
        if delivery is None:
            return None
        stopped = created and _apply(business, delivery, event)
        return TrackingOutcome(business, row, stopped)


def _apply(business: Business, delivery: ReminderDelivery, event) -> bool:
    kind = event.event_type
    if delivery_apply_event(delivery, kind):  # the provider had it after all
        ReminderEmail.objects.filter(pk=delivery.email_id, state=ReminderEmail.State.UNKNOWN
                                     ).update(state=ReminderEmail.State.SENT)
    contact = delivery.contact
    now = timezone.now()
    if kind == "complained" and contact is not None and contact.unsubscribed_at is None:
        contact.unsubscribed_at = now
        contact.save(update_fields=["unsubscribed_at"])
    if kind not in STOPPING:
        return False
    reason = (event.description or event.mta_response or kind)[:300]
    handed_over = delivery.sent_at or delivery.email.created_at
    if contact is not None and contact.reinstated_at and handed_over < contact.reinstated_at:
        return False  # mail from before the owner saved this address again: old news
    if contact is not None:
        contact.bounced_at, contact.bounce_reason = now, reason
        contact.save(update_fields=["bounced_at", "bounce_reason"])
        if not contact.active:
            return False  # the owner already removed it: the customer's other emails still go
    row, _ = CustomerReminders.objects.get_or_create(customer_id=delivery.email.customer_id)
    row.stopped_reason = f"{delivery.to} bounced: {reason}"[:200]
    row.stopped_at = now
    row.save(update_fields=["stopped_reason", "stopped_at"])
    audit_record(actor=None, action="reminder.stopped_by_bounce", business=business, obj=row,
                 after={"email": delivery.to, "reason": reason})
    return True
