"""Evaluating and sending a business's alerts: at most one per kind per business per local day.

1. Check each kind the owner left on (conditions.py) — read-only.
2. Claim: the Alert row (unique on kind and day) and one pending delivery per channel are
   created in one transaction; a second evaluation, a concurrent worker or a redelivered task
   meets the unique constraint and sends nothing new.
3. Deliver: each delivery moves pending → sending by a conditional UPDATE committed *before*
   the provider call, then to sent/failed/unknown. A worker killed after that point leaves it
   `sending`; nobody sends it again (at most once — it is shown as unknown in the history).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.alerts.conditions import CHECKS, PAGES, Context, Finding
from apps.alerts.models import Alert, AlertDelivery, AlertSettings, Kind
from apps.alerts.webhook import webhook_host, webhook_payload, webhook_post
from apps.core.enqueue import ALERTS_EVALUATE, enqueue
from apps.integrations.mail.delivery import OutgoingMail, fault_hook, mail_deliver_recorded
from apps.integrations.mail.models import DeliveryState
from apps.integrations.mail.tracking import delivery_apply_event
from apps.tenancy.models import Business
from apps.tenancy.urls import business_url

log = logging.getLogger(__name__)
# Task names (tasks.py uses them; a service starts a task by name, never imports it back).
EVALUATE_TASK = ALERTS_EVALUATE  # also started by name by the outbox and the bank feed
DISPATCH_TASK = "alerts.dispatch"
# A delivery left `sending` this long belonged to a worker that died: shown as unknown.
SENDING_STALE = timedelta(minutes=10)
# Fault drill hook: OODALOO_ALERTS_FAULT=<point> SIGKILLs this process at that point.
_fault = fault_hook("OODALOO_ALERTS_FAULT")


def alert_settings_get() -> AlertSettings:
    """The business's row (inside its schema), created with the defaults on first use."""
    row, _ = AlertSettings.objects.get_or_create(singleton=1)
    return row


@dataclass
class EvaluateReport:
    claimed: list[str] = field(default_factory=list)  # kinds claimed by this call
    sent: int = 0
    failed: int = 0
    unknown: int = 0


def _owner_emails(business: Any) -> list[str]:
    members = (Membership.objects.filter(business=business, role=Role.OWNER,
                                         user__is_active=True)
               .select_related("user").order_by("pk"))
    seen: dict[str, None] = {}
    for m in members:
        seen.setdefault(m.user.email.lower(), None)
    return list(seen)


def _channels(business: Any, prefs: AlertSettings) -> list[tuple[str, str]]:
    out = []
    if prefs.email_enabled:
        out += [(AlertDelivery.Channel.EMAIL, email) for email in _owner_emails(business)]
    if prefs.webhook_url:
        out.append((AlertDelivery.Channel.WEBHOOK, webhook_host(prefs.webhook_url)[:254]))
    return out


def _claim(business: Any, finding: Finding, day, channels) -> Alert | None:
    try:
        with transaction.atomic():
            if finding.on_claim is not None and not finding.on_claim():
                return None
            alert = Alert.objects.create(kind=finding.kind, day=day, title=finding.title[:200],
                                         text=finding.text,
                                         url=business_url(business, PAGES[finding.kind])[:500],
                                         detail=finding.detail)
            AlertDelivery.objects.bulk_create([
                AlertDelivery(alert=alert, channel=channel, recipient=recipient,
                              send_id=f"alert-{business.pk}-{alert.pk}-{n}")
                for n, (channel, recipient) in enumerate(channels)
            ])
    except IntegrityError:
        return None  # today's alert of this kind exists: claimed by another evaluation
    return alert


def _take(delivery: AlertDelivery) -> bool:
    """pending → sending, committed; False if another worker took it (or it is done)."""
    with transaction.atomic():
        return bool(AlertDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING)
                    .update(state=DeliveryState.SENDING, updated_at=timezone.now()))


def _mark(delivery: AlertDelivery, state: str, **fields: Any) -> None:
    AlertDelivery.objects.filter(pk=delivery.pk).update(state=state, updated_at=timezone.now(),
                                                        **fields)


def _mail(business: Any, alert: Alert, delivery: AlertDelivery) -> OutgoingMail:
    text = (f"{alert.text}\n\n{alert.url}\n\n— Oodaloo alerts for {business.name}. "
            "Choose which alerts you get in Settings → Alerts.")
    html = (f"{linebreaks(escape(alert.text))}<p><a href=\"{escape(alert.url)}\">Open in "
            f"Oodaloo</a></p><p style=\"color:#666\">Oodaloo alerts for {escape(business.name)}."
            " Choose which alerts you get in Settings → Alerts.</p>")
    return OutgoingMail(to=delivery.recipient, subject=alert.title, text=text, html=html,
                        send_id=delivery.send_id, tags=("alert", alert.kind),
                        metadata={"schema": business.schema_name, "alert": alert.kind})


def _deliver(business: Any, delivery: AlertDelivery, prefs: AlertSettings) -> str:
    if not _take(delivery):
        return "taken"
    alert = delivery.alert
    _fault("kill_before_provider")
    if delivery.channel == AlertDelivery.Channel.EMAIL:
        def mark(state: str, **fields: Any) -> None:
            if state != DeliveryState.SENDING:  # already recorded by _take
                _mark(delivery, state, **fields)

        return mail_deliver_recorded(_mail(business, alert, delivery), mark=mark, fault=_fault)
    if not prefs.webhook_url:
        _mark(delivery, DeliveryState.FAILED, error="the webhook was removed before sending")
        return DeliveryState.FAILED
    outcome = webhook_post(prefs.webhook_url, webhook_payload(
        alert.title, alert.text, alert.url, footer=f"Oodaloo · {business.name}"))
    _fault("kill_after_provider")
    if outcome.state == "sent":
        _mark(delivery, DeliveryState.SENT, sent_at=timezone.now(), error="")
    else:
        _mark(delivery, outcome.state, error=outcome.error[:2000])
    return outcome.state


def alerts_evaluate(business: Any, now: datetime | None = None) -> EvaluateReport:
    """Check every enabled kind, claim what is due, deliver what is pending. Idempotent."""
    now = now or timezone.now()
    report = EvaluateReport()
    with tenant_context(business):
        prefs = alert_settings_get()
        today = now.astimezone(ZoneInfo(business.timezone)).date()
        channels = _channels(business, prefs)
        done = set(Alert.objects.filter(day=today).values_list("kind", flat=True))
        ctx = Context(business=business, now=now, today=today, prefs=prefs)
        for kind in Kind.values:
            if kind in done or not prefs.kind_enabled(kind) or not channels:
                continue
            try:
                finding = CHECKS[kind](ctx)
            except Exception:  # one broken check must not silence the others
                log.exception("alert check %s failed for %s", kind, business.schema_name)
                continue
            if finding is not None and _claim(business, finding, today, channels) is not None:
                report.claimed.append(kind)
        _fault("kill_after_claim")
        # Deliveries a dead worker left `sending` are not resent: shown as unknown.
        AlertDelivery.objects.filter(state=DeliveryState.SENDING,
                                     updated_at__lt=now - SENDING_STALE).update(
            state=DeliveryState.UNKNOWN, error="the worker stopped while sending")
        pending = AlertDelivery.objects.filter(
            state=DeliveryState.PENDING, alert__day__gte=today - timedelta(days=1)
        ).select_related("alert")
        for delivery in pending:
            state = _deliver(business, delivery, prefs)
            if state == DeliveryState.SENT:
                report.sent += 1
            elif state == DeliveryState.FAILED:
                report.failed += 1
            elif state == DeliveryState.UNKNOWN:
                report.unknown += 1
    return report


def alerts_evaluate_later(business: Any) -> None:
    """Enqueue an evaluation once the current transaction commits (the sync finaliser)."""

    def send() -> None:
        with tenant_context(business):
            enqueue(EVALUATE_TASK)

    transaction.on_commit(send)


def alerts_dispatch() -> int:
    """Beat's tick: one evaluation task per business."""
    count = 0
    for business in Business.objects.real().iterator():
        with tenant_context(business):
            enqueue(EVALUATE_TASK)
        count += 1
    return count


def alert_tracking_record(event: Any) -> AlertDelivery | None:
    """Apply a verified tracking event to the alert email it is about (the strongest event is
    kept; a delivery left `sending`/`unknown` is proven sent). Idempotent; None if not ours."""
    metadata = getattr(event, "metadata", None) or {}
    if not metadata.get("alert") or not metadata.get("schema") or not metadata.get("send_id"):
        return None
    business = Business.objects.filter(schema_name=metadata["schema"]).first()
    if business is None:
        return None
    with tenant_context(business):
        delivery = AlertDelivery.objects.filter(send_id=metadata["send_id"]).first()
        if delivery is not None:
            delivery_apply_event(delivery, event.event_type)
    return delivery


def alerts_after_sync(ctx: Any, full_sync: bool) -> None:
    """Sync finaliser (oodaloo/wiring.py): evaluate this business's alerts once the sync's
    writes are committed (a task, so a slow mail provider or webhook never holds the sync's
    transaction)."""
    alerts_evaluate_later(ctx.business)
