"""Owner-only pages for the bank feed: connect ("Connect your bank"), reconnect, disconnect,
confirm account links. Thin: apps.bank.services does the work. Included from portal/urls.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.bank.models import Account, FeedAccount
from apps.bank.selectors import feed_health
from apps.bank.services.feed_connect import (
    feed_connect,
    feed_connect_sandbox,
    feed_disconnect,
    feed_link_token,
    items_for,
)
from apps.bank.services.feed_sync import FeedSyncBusy, feed_sync_run
from apps.bank.services.linking import LinkError, link_confirm, link_undo
from apps.integrations.plaid.errors import PlaidError
from apps.integrations.plaid.models import PlaidItem

OWNER_ONLY = {"read": "owner", "write": "owner"}
REAL_PLAID = ("https://sandbox.plaid.com", "https://production.plaid.com")


def _sandbox_plays_link() -> bool:
    """In development the local Plaid sandbox stands in for Link (no browser widget)."""
    return settings.PLAID_HOST.rstrip("/") not in REAL_PLAID


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
        "sandbox_link": _sandbox_plays_link(),
        "link_token": request.session.pop("plaid_link_token", None),
    }
    return render(request, "portal/bank_feed.html", context)


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_connect(request):
    business = request.business
    try:
        if _sandbox_plays_link():
            feed_connect_sandbox(business, actor=request.user)
            messages.success(
                request,
                "Bank connected. Confirm which QuickBooks account each "
                "bank account is, so your cash counts once.",
            )
        else:  # production: the page opens Plaid Link with this token, then posts to exchange
            token = feed_link_token(
                business, request.user, webhook=getattr(settings, "PLAID_WEBHOOK_URL", None)
            )
            request.session["plaid_link_token"] = token.link_token
    except PlaidError as exc:
        messages.error(request, exc.display_message or "The bank could not be connected.")
    return redirect("bank-feed")


@require_POST
@portal_view(**OWNER_ONLY)
def bank_feed_exchange(request):
    """Plaid Link's onSuccess posts its public_token here."""
    try:
        feed_connect(
            request.business,
            request.POST.get("public_token", ""),
            actor=request.user,
            institution_name=request.POST.get("institution_name", ""),
        )
        messages.success(request, "Bank connected.")
    except PlaidError as exc:
        messages.error(request, exc.display_message or "The bank could not be connected.")
    return redirect("bank-feed")


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
    path("connect/", bank_feed_connect, name="bank-feed-connect"),
    path("exchange/", bank_feed_exchange, name="bank-feed-exchange"),
    path("<int:pk>/sync/", bank_feed_sync, name="bank-feed-sync"),
    path("<int:pk>/disconnect/", bank_feed_disconnect, name="bank-feed-disconnect"),
    path("accounts/<int:pk>/link/", bank_feed_link, name="bank-feed-link"),
    path("accounts/<int:pk>/unlink/", bank_feed_unlink, name="bank-feed-unlink"),
]
