"""Reads for the alerts pages (inside the business's schema)."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.alerts.models import Alert, AlertDelivery


def alert_history(limit: int = 100) -> list[Alert]:
    deliveries = Prefetch("deliveries", queryset=AlertDelivery.objects.order_by("id"))
    return list(Alert.objects.prefetch_related(deliveries)[:limit])


def last_webhook_failure() -> AlertDelivery | None:
    """The latest webhook delivery that did not arrive, if it is newer than the latest one that
    did (shown on the settings page until a send succeeds)."""
    hooks = AlertDelivery.objects.filter(channel=AlertDelivery.Channel.WEBHOOK)
    latest = hooks.exclude(state__in=["pending", "sending"]).order_by("-updated_at").first()
    return latest if latest is not None and latest.state != "sent" else None
