"""Delivery tracking of the digest: the provider's verified events against our deliveries."""

from __future__ import annotations

from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.digest.models import DigestDelivery, DigestEvent, DigestRun
from apps.digest.sending import SUMMARY_SOURCE, run_settle
from apps.integrations.mail.tracking import delivery_apply_event, tracking_event_store
from apps.tenancy.models import Business
from apps.tenancy.summary import summary_refresh_quietly


def digest_tracking_record(event, esp_name: str) -> DigestEvent | None:
    """Store one verified tracking event against its delivery (idempotent: providers retry).

    Routed by the metadata we sent (`schema`, `send_id`); events for other mail are ignored."""
    metadata = getattr(event, "metadata", None) or {}
    schema = metadata.get("schema")
    if not schema:
        return None
    business = Business.objects.filter(schema_name=schema).first()
    if business is None:
        return None
    with tenant_context(business):
        delivery, row, created = tracking_event_store(
            event, esp_name, deliveries=DigestDelivery.objects, events=DigestEvent.objects,
            click_url=event.click_url or "")
        if created and delivery_apply_event(delivery, event.event_type):
            run = delivery.run  # the provider had it after all
            if run.state in (DigestRun.State.UNKNOWN, DigestRun.State.PARTIAL):
                run_settle(run, timezone.now())
    if created:
        summary_refresh_quietly(business, only=(SUMMARY_SOURCE,))
    return row
