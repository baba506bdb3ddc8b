"""The owner's alert choices: kinds on/off, thresholds, email on/off, the webhook — owner only,
every change audited (the webhook URL is a credential: the audit keeps its host, not the URL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.alerts.models import AlertSettings, Kind
from apps.alerts.services import alert_settings_get
from apps.alerts.webhook import webhook_host, webhook_payload, webhook_post, webhook_url_check
from apps.core.errors import ApplicationError
from apps.core.services.audit import audit_record

RUNWAY_DAYS_RANGE = range(1, 366)
SYNC_HOURS_RANGE = range(1, 24 * 14 + 1)


class AlertSettingsError(ApplicationError):
    code = "alert_settings_invalid"



def _snapshot(row: AlertSettings) -> dict:
    return {
        "disabled_kinds": sorted(row.disabled_kinds or []),
        "runway_days_threshold": row.runway_days_threshold,
        "sync_failing_hours": row.sync_failing_hours,
        "email_enabled": row.email_enabled,
        "webhook": webhook_host(row.webhook_url) if row.webhook_url else "",
    }


def _whole(value: Any, allowed: range, label: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise AlertSettingsError(f"{label} must be a whole number.")
    if number not in allowed:
        raise AlertSettingsError(f"{label} must be between {allowed.start} and "
                                 f"{allowed.stop - 1}.")
    return number


def alert_settings_set(*, actor: Any, business: Any, enabled_kinds: list[str],
                       runway_days_threshold: Any, sync_failing_hours: Any,
                       email_enabled: bool, webhook_url: str | None) -> AlertSettings:
    """Save the owner's choices (inside the business's schema). Refuses a webhook URL the
    SSRF guard refuses; an empty URL removes the webhook; None keeps the saved one (the page
    never shows the URL, so a blank field means "unchanged")."""
    membership_require(actor, business, Role.OWNER, message="Only an owner can change alerts.")
    unknown = set(enabled_kinds) - set(Kind.values)
    if unknown:
        raise AlertSettingsError(f"Unknown alert kind: {', '.join(sorted(unknown))}.")
    days = _whole(runway_days_threshold, RUNWAY_DAYS_RANGE, "The runway threshold (days)")
    hours = _whole(sync_failing_hours, SYNC_HOURS_RANGE, "The sync alert delay (hours)")
    keep = webhook_url is None
    url = webhook_url_check(webhook_url) if (webhook_url or "").strip() else ""
    with tenant_context(business), transaction.atomic():
        row = AlertSettings.objects.select_for_update().get(pk=alert_settings_get().pk)
        before, url_before = _snapshot(row), row.webhook_url
        row.disabled_kinds = sorted(set(Kind.values) - set(enabled_kinds))
        row.runway_days_threshold, row.sync_failing_hours = days, hours
        row.email_enabled = bool(email_enabled)
        if keep:
            url = url_before or ""
        row.webhook_url = url
        row.save()
        after = {**_snapshot(row), "webhook_changed": url != (url_before or "")}
        audit_record(actor=actor, action="alerts.settings", business=business, obj=row,
                     before=before, after=after)
    return row


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str


def webhook_test_send(*, actor: Any, business: Any) -> TestResult:
    """The "send test" button: one message to the saved webhook, now; the outcome is audited
    and shown to the owner (nothing is stored as an alert)."""
    membership_require(actor, business, Role.OWNER, message="Only an owner can change alerts.")
    with tenant_context(business):
        row = alert_settings_get()
    if not row.webhook_url:
        raise AlertSettingsError("Add a webhook address first.")
    outcome = webhook_post(row.webhook_url, webhook_payload(
        "Test alert from Oodaloo",
        f"Alerts for {business.name} will arrive here.", footer=f"Oodaloo · {business.name}"))
    audit_record(actor=actor, action="alerts.webhook_test", business=business, obj=row,
                 after={"webhook": webhook_host(row.webhook_url), "state": outcome.state,
                        "error": outcome.error})
    if outcome.state == "sent":
        return TestResult(True, f"Test message delivered to {webhook_host(row.webhook_url)}.")
    return TestResult(False, f"The test message was not accepted: {outcome.error or 'unknown'}.")
