"""The Prep Tray page and its one-click decisions (done, snooze, dismiss, undo)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.collections.services import reminders_preview
from apps.core.errors import ApplicationError
from apps.portal.common import action_done, action_error, paginate, parse_date, today_for
from apps.portal.page_cache import deferred
from apps.portal.plaid_link import plaid_link_csp
from apps.tenancy.summary import summary_refresh_quietly
from apps.tray.models import TrayItem
from apps.tray.offers import tray_offers
from apps.tray.services import (
    tray_generate,
    tray_item_dismiss,
    tray_item_done,
    tray_item_reopen,
    tray_item_snooze,
    tray_mark_done_for,
)

DECIDED_SHOWN = 20
TRAY_SUMMARY_SOURCE = "apps.tray.summary.tray_summary"  # decisions waiting on the public row


def tray_context(request) -> dict:
    today = today_for(request)
    return {
        "today": today,
        "currency": request.business.currency or "USD",
        "snooze_default": today + timedelta(days=7),
    }


NO_OFFERS = {"credit_offers": {}, "overpayment_offers": {}, "vendor_credit_offers": {}}


def offers_context(items) -> dict:
    """The "Apply to invoice/bill …" offers of the items' credits, by the template's names
    (the template picks by the item's target type): one query whatever the items' kinds."""
    offers = tray_offers(items)
    return {"credit_offers": offers["credit_memo"], "overpayment_offers": offers["payment"],
            "vendor_credit_offers": offers["vendor_credit"]}


def item_fragment(request, item: TrayItem, *, decided: bool = False) -> HttpResponse:
    context = {**tray_context(request), "item": item, "decided": decided,
               **(NO_OFFERS if decided else offers_context([item]))}
    return HttpResponse(render_to_string("portal/partials/tray_item.html", context, request))


def action_done_from_tray(
    request, message: str, *, default_next: str, target: tuple[str, str | int] | None = None
) -> HttpResponse:
    """Answer an action taken on a bill, invoice or series: tick its tray item (when `target`
    is given) and, for an HTMX click in the tray, send back the decided item's fragment."""
    if target is not None:
        tray_mark_done_for(request.user, target[0], target[1])
    fragment = None
    item_id = request.POST.get("tray_item", "")
    if request.POST.get("fragment") == "tray_item" and item_id.isdigit():
        item = TrayItem.objects.filter(pk=int(item_id)).first()
        if item is not None:
            fragment = item_fragment(request, item, decided=True)
    return action_done(request, message, default_next=default_next, fragment=fragment)


def _tray_page(request, today) -> dict:
    # 50 a page like every list: rendering the item partial is the page's main cost.
    page = paginate(request, TrayItem.objects.visible(today))
    items = list(page.object_list)
    decided = list(
        TrayItem.objects.filter(
            status__in=[TrayItem.Status.DONE, TrayItem.Status.DISMISSED, TrayItem.Status.SNOOZED],
            updated_at__gte=timezone.now() - timedelta(days=7),
        )
        .exclude(status=TrayItem.Status.SNOOZED, snoozed_until__lte=today)
        .order_by("-decided_at")[:DECIDED_SHOWN]
    )
    return {
        "items": items,
        "tray_count": page.paginator.count,
        "page": page,
        "decided_items": decided,
        **offers_context(items),
        "reminder_preview": reminders_preview(request.business, today),
    }


@plaid_link_csp
@portal_view
def tray(request):
    context = tray_context(request)
    # Deferred: read only when the page's cached fragment misses (apps/portal/page_cache.py).
    context |= {"qs": "", **deferred(lambda: _tray_page(request, context["today"]),
                                     "items", "tray_count", "page", "decided_items",
                                     "credit_offers", "overpayment_offers",
                                     "vendor_credit_offers", "reminder_preview")}
    return render(request, "tray/tray.html", context)


@require_POST
@portal_view
def tray_refresh(request):
    summary = tray_generate(request.business)
    summary_refresh_quietly(request.business)
    return action_done(
        request,
        f"Tray refreshed: {summary.open} open, {summary.created} new, {summary.closed} "
        "resolved on their own.",
        default_next="/tray/",
    )


def _decision(request, pk: int, decide, message: str, **kwargs):
    item = get_object_or_404(TrayItem, pk=pk)
    try:
        item = decide(actor=request.user, item=item, **kwargs)
    except ApplicationError as exc:
        return action_error(request, exc)
    summary_refresh_quietly(request.business, only=(TRAY_SUMMARY_SOURCE,))
    return action_done(
        request,
        message,
        default_next="/tray/",
        fragment=item_fragment(request, item, decided=item.status != TrayItem.Status.OPEN),
    )


def _decision_view(name: str, decide, message: str):
    """The POST view of a decision that takes nothing but the item."""

    def view(request, pk: int):
        return _decision(request, pk, decide, message)

    view.__name__ = view.__qualname__ = name
    return require_POST(portal_view(view))


tray_done = _decision_view("tray_done", tray_item_done, "Marked done.")
tray_dismiss = _decision_view("tray_dismiss", tray_item_dismiss, "Dismissed; it won't come back.")
tray_reopen = _decision_view("tray_reopen", tray_item_reopen, "Back in the tray.")


@require_POST
@portal_view
def tray_snooze(request, pk: int):
    try:
        until = parse_date(request.POST.get("until"), label="date to snooze until")
    except ApplicationError as exc:
        return action_error(request, exc)
    return _decision(
        request, pk, tray_item_snooze, f"Snoozed until {until:%a %b %-d}.", until=until
    )
