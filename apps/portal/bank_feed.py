"""Owner-only pages for the bank feed: connect through Plaid Link, reconnect (Link update mode),
disconnect, confirm account links. Thin: apps.bank.services does the work. Included from
portal/urls.py; the Link button itself is templates/portal/partials/plaid_link.html."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.bank.models import FeedAccount
from apps.bank.selectors import feed_health
from apps.bank.services.feed_connect import (
    feed_connect,
    feed_disconnect,
    feed_link_token,
    feed_login_repaired,
)
from apps.bank.services.feed_items import items_for
from apps.bank.services.feed_sync import FeedSyncBusy, feed_sync_run
from apps.bank.services.linking import LinkError, link_confirm, link_undo
from apps.core.routes import verbs
from apps.integrations.plaid.errors import PlaidError
from apps.integrations.plaid.models import PlaidItem
from apps.ledger.models import Account
from apps.portal.plaid_link import plaid_link_csp

OWNER_ONLY = {"read": "owner", "write": "owner"}
NOT_CONNECTED = "Your bank was not connected"


@plaid_link_csp
@portal_view(**OWNER_ONLY)
def bank_feed(request):
    business = request.business
    context = {
        "health": feed_health(business),
        "items": list(items_for(business, active_only=False)),
        "feeds": list(
            FeedAccount.objects.filter(removed=False)
            .select_related("linked_account", "suggested_account")
            .order_by("name")
        ),
        "qbo_accounts": list(
            Account.objects.filter(
                is_deleted=False,
                active=True,
                account_type__in=[Account.Type.BANK, Account.Type.CREDIT_CARD],
            )
        ),
        "reconnect_states": ("login_required", "pending_expiration"),
    }
    return render(request, "portal/bank_feed.html", context)


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_link_token(request):
    """A Link token for the page's Link button (JSON); `item` asks for update mode."""
    item = None
    if request.POST.get("item"):
        item = get_object_or_404(
            items_for(request.business), pk=_int(request.POST["item"])
        )
    try:
        token = feed_link_token(request.business, request.user, item=item)
    except PlaidError as exc:
        message = exc.display_message or "Plaid did not answer; please try again in a minute."
        return JsonResponse({"error": message}, status=502)
    return JsonResponse({"link_token": token.link_token, "mode": "update" if item else "new"})


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_exchange(request):
    """Link's onSuccess posts its public_token here: exchange, store, list accounts, suggest
    QuickBooks links and run the first sync."""
    try:
        feed_connect(
            request.business,
            request.POST.get("public_token", ""),
            actor=request.user,
            institution_name=request.POST.get("institution_name", ""),
        )
    except PlaidError as exc:
        messages.error(request, f"{NOT_CONNECTED}: {exc.display_message or exc.error_code}.")
        return redirect("bank-feed")
    messages.success(
        request,
        "Bank connected. Confirm which QuickBooks account each bank account is, so your cash "
        "counts once.",
    )
    return redirect("bank-feed")


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_repaired(request, pk: int):
    """Update mode's onSuccess: the login was repaired in Link; confirm it with Plaid."""
    item = get_object_or_404(items_for(request.business), pk=pk)
    try:
        feed_login_repaired(request.business, item, actor=request.user)
    except PlaidError as exc:
        messages.error(request, f"{item.institution_name or 'The bank'} still refuses the "
                                f"login ({exc.error_code}); please reconnect again.")
        return redirect("bank-feed")
    messages.success(request, f"{item.institution_name or 'Your bank'} is reconnected.")
    return redirect("bank-feed")


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_sync(request, pk: int):
    item = get_object_or_404(PlaidItem, pk=pk, business=request.business)
    try:
        report = feed_sync_run(request.business, item=item, balances=True)
    except FeedSyncBusy:
        messages.info(request, "A bank sync is already running.")
        return redirect("bank-feed")
    if report.errors:
        messages.error(request, "The bank did not answer as expected; we will retry.")
    else:
        messages.success(request, f"Bank synced: {report}.")
    return redirect("bank-feed")


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_disconnect(request, pk: int):
    item = get_object_or_404(PlaidItem, pk=pk, business=request.business)
    feed_disconnect(request.business, item, actor=request.user)
    messages.success(request, "Bank disconnected; QuickBooks figures are used again.")
    return redirect("bank-feed")


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_link(request, pk: int):
    feed = get_object_or_404(FeedAccount, pk=pk, removed=False)
    choice = request.POST.get("account", "")
    account = get_object_or_404(Account, pk=int(choice)) if choice.isdigit() else None
    try:
        link_confirm(request.business, feed, account, actor=request.user)
    except LinkError as exc:
        messages.error(request, str(exc))
    return redirect("bank-feed")


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_unlink(request, pk: int):
    link_undo(request.business, get_object_or_404(FeedAccount, pk=pk), actor=request.user)
    return redirect("bank-feed")


urlpatterns = [
    path("", bank_feed, name="bank-feed"),
    *verbs("", "bank-feed", {"link-token": bank_feed_link_token, "exchange": bank_feed_exchange}),
    *verbs("<int:pk>/", "bank-feed", {"repaired": bank_feed_repaired, "sync": bank_feed_sync,
                                      "disconnect": bank_feed_disconnect}),
    *verbs("accounts/<int:pk>/", "bank-feed", {"link": bank_feed_link,
                                               "unlink": bank_feed_unlink}),
]
