"""Bank accounts: which count toward runway cash, and the bank-feed link."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.bank.models import FeedAccount
from apps.core.errors import ApplicationError
from apps.ledger.models import Account
from apps.portal.common import action_done, action_error
from apps.portal.runway_data import runway_now
from apps.portal.services import account_include_set


@portal_view
def bank_list(request):
    result = runway_now(request.business)
    accounts = list(Account.objects.cash().select_related("feed").order_by("name"))
    # The balance cash counts (after identity linking and conversion), not QBO's book figure.
    counted = {v.identity: v for v in result.accounts} if result else {}
    for a in accounts:
        a.counted = counted.get(f"qbo:{a.qbo_id}")
    return render(
        request,
        "portal/banks.html",
        {
            "accounts": accounts,
            "feeds": list(FeedAccount.objects.filter(removed=False, linked_account__isnull=True)),
            "result": result,
            "currency": request.business.currency or "USD",
        },
    )


@require_POST
@portal_view(write="owner")
def bank_include_view(request, pk: int):
    account = get_object_or_404(Account.objects.cash(), pk=pk)
    included = request.POST.get("included") == "1"
    try:
        account_include_set(
            actor=request.user, business=request.business, account=account, included=included
        )
    except ApplicationError as exc:
        return action_error(request, exc)
    word = "now counts toward" if included else "no longer counts toward"
    return action_done(request, f"{account.name} {word} your runway.", default_next="/banks/")
