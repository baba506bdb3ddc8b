"""The dashboard: runway at a glance, the forecast, aging, this week's tray, sync status."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from apps.accounts.permissions import portal_view
from apps.business_settings.models import BusinessSettings
from apps.business_settings.selectors import settings_get
from apps.integrations.sync.requests import sync_status
from apps.portal.common import today_for
from apps.portal.page_cache import deferred
from apps.portal.runway_data import accuracy, charts, last_week_days, runway_now
from apps.portal.services import onboarding_steps
from apps.tray.models import TrayItem

TRAY_PREVIEW = 5


def onboarding_for(business, row: BusinessSettings, sync: dict):
    """Checklist steps while onboarding is unfinished (it reappears until done)."""
    if row.onboarding_done_at is not None:
        return None
    steps = onboarding_steps(
        business, row=row, connected=sync["conn"] is not None, synced=sync["synced"]
    )
    if all(s.done for s in steps):
        row.onboarding_done_at = timezone.now()
        row.save(update_fields=["onboarding_done_at", "updated_at"])
        return None
    return steps


def _figures(business, currency: str, today) -> dict:
    result = runway_now(business)
    tray = TrayItem.objects.visible(today)
    data = {"result": result, "tray_items": list(tray[:TRAY_PREVIEW]), "tray_count": tray.count(),
            "days_change": None, "charts": None, "accuracy": None}
    if result is not None:
        before = last_week_days(result)
        data["days_change"] = (
            result.runway_days - before
            if before is not None and result.runway_days is not None
            else None
        )
        data["charts"] = charts(result, currency)
        data["accuracy"] = accuracy(business)
    return data


@portal_view
def dashboard(request):
    business = request.business
    currency = business.currency or "USD"
    today = today_for(request)
    sync = sync_status(business)  # live: a sync's progress must show at once
    context = {
        "currency": currency,
        "today": today,
        "sync": sync,
        "onboarding": onboarding_for(business, settings_get(), sync),
        # Deferred: read only when the page's cached fragment misses (portal/page_cache.py).
        **deferred(lambda: _figures(business, currency, today), "result", "tray_items",
                   "tray_count", "days_change", "charts", "accuracy"),
    }
    return render(request, "portal/dashboard.html", context)
