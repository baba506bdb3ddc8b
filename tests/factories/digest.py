"""Weekly digest runs, their deliveries and the mail provider's events (tenant schema)."""

from __future__ import annotations

import factory
from django.db import connection

from apps.digest.models import DigestDelivery, DigestEvent, DigestRun

from .base import TenantFactory


class DigestRunFactory(TenantFactory):
    """The digest of `week` for the business whose schema it is made in."""

    class Meta:
        model = DigestRun

    week = "2026-W10"
    key = factory.LazyAttribute(lambda o: f"digest:{connection.schema_name}:{o.week}")


class DigestDeliveryFactory(TenantFactory):
    class Meta:
        model = DigestDelivery

    run = factory.SubFactory(DigestRunFactory)
    send_id = factory.Sequence(lambda n: f"digest-send-{n}")
    email = "owner@example.test"


class DigestEventFactory(TenantFactory):
    class Meta:
        model = DigestEvent

    delivery = factory.SubFactory(DigestDeliveryFactory)
    event_type = "delivered"
    dedupe_key = factory.Sequence(lambda n: f"digest-event-{n}")
