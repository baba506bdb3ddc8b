"""Recurring payments the runway detected: confirm, edit or dismiss each series."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.ap.services import parse_amount
from apps.core.errors import ApplicationError
from apps.portal.common import BadInput, action_done, action_error, parse_date
from apps.portal.runway_data import runway_now
from apps.portal.tray import action_done_from_tray
from apps.runway.models import RecurringSeriesOverride
from apps.runway.services import series_override_clear, series_override_set


@portal_view
def recurring_list(request):
    result = runway_now(request.business)
    series = list(result.history.series) if result is not None else []
    projected: dict[str, list] = {}
    if result is not None:
        for p in result.forecast.recurring:
            projected.setdefault(p.series_key, []).append(p)
    return render(
        request,
        "portal/recurring.html",
        {
            "series": [(s, projected.get(s.key, [])) for s in series],
            "overrides": {o.key: o for o in RecurringSeriesOverride.objects.all()},
            "cadences": RecurringSeriesOverride.Cadence.choices,
            "currency": request.business.currency or "USD",
        },
    )


def _answer(request, key: str, message: str):
    return action_done_from_tray(
        request, message, default_next="/recurring/", target=("series", key)
    )


@require_POST
@portal_view
def recurring_set_view(request, status: str):
    key = request.POST.get("key", "").strip()
    try:
        if not key:
            raise BadInput("Choose a recurring payment.")
        amount = request.POST.get("amount", "").strip()
        series_override_set(
            actor=request.user,
            business=request.business,
            key=key,
            status=status,
            name=request.POST.get("name", "").strip(),
            cadence=request.POST.get("cadence", ""),
            amount=parse_amount(amount) if amount else None,
            next_date=parse_date(request.POST.get("next_date"), required=False),
        )
    except ApplicationError as exc:
        return action_error(request, exc)
    word = "Confirmed" if status == "confirmed" else "Dismissed"
    return _answer(request, key, f"{word}; the forecast is updated.")


@require_POST
@portal_view
def recurring_clear_view(request):
    key = request.POST.get("key", "").strip()
    series_override_clear(actor=request.user, business=request.business, key=key)
    return action_done(request, "Back to what the history shows.", default_next="/recurring/")
