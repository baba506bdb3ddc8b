"""Bills: the filtered list, the detail page with history and impact, and the workflow
actions (approve, schedule, hold, release, pay now)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.ap.models import Bill, Vendor, VendorCredit
from apps.ap.selectors import DUE_FILTERS, bill_filters, bills_filtered
from apps.ap.services import (
    bill_approve,
    bill_can_approve,
    bill_hold,
    bill_pay_now,
    bill_payment_actions,
    bill_release,
    bill_schedule,
)
from apps.ap.vendor_credits import VENDOR_CREDIT
from apps.business_settings.selectors import approval_limit
from apps.core.errors import ApplicationError
from apps.core.tray_causes import cash_impact
from apps.ledger.models import Account
from apps.portal.apply_credit import credit_apply_response
from apps.portal.common import (
    action_error,
    form_token,
    paginate,
    parse_date,
    querystring_without_page,
    today_for,
)
from apps.portal.page_cache import deferred
from apps.portal.runway_data import runway_now
from apps.portal.tray import action_done_from_tray
from apps.runway.rates import with_today_rates


def _filtered(request, today):
    filters = bill_filters(request.GET)
    return bills_filtered(filters, today), filters.as_dict()


def _bill_rows(request, qs, today) -> dict:
    page = paginate(request, qs)
    bills = list(page.object_list)
    with_today_rates(bills, request.business.currency or "USD", today)
    states = {}
    for action in bill_payment_actions(request.business, [b.pk for b in bills]).order_by(
        "created_at"
    ):
        states[int(action.target_id)] = action  # latest wins
    return {"page": page, "bills": [(b, states.get(b.pk)) for b in bills]}


@portal_view
def bill_list(request):
    today = today_for(request)
    qs, filters = _filtered(request, today)
    context = {
        # Deferred: read only when the page's cached fragment misses (portal/page_cache.py).
        **deferred(lambda: _bill_rows(request, qs, today), "page", "bills"),
        "filters": filters,
        "statuses": [("open", "Open"), *Bill.Status.choices, ("all", "All")],
        "due_filters": DUE_FILTERS,
        "vendors": Vendor.objects.filter(active=True).only("pk", "display_name")[:500],
        "qs": querystring_without_page(request),
        "today": today,
        "currency": request.business.currency or "USD",
    }
    return render(request, "portal/bills/list.html", context)


def _detail_context(request, bill: Bill) -> dict:
    business = request.business
    currency = business.currency or "USD"
    result = runway_now(business)
    impact_days, impact_sentence, forecast_date = None, "", None
    with_today_rates([bill], currency, today_for(request))  # a foreign bill at today's rate
    amount = bill.today_home_balance
    if result is not None and bill.balance > 0 and amount is not None:
        impact_days, impact_sentence = cash_impact(
            -amount,
            result.daily_burn,
            f"Paying {amount:,.2f} now",
            currency,
        )
        forecast_date = result.forecast.bill_dates.get(str(bill.pk))
    limit = approval_limit()
    role = request.membership.role if request.membership else None
    return {
        "bill": bill,
        "events": list(bill.events.all()),
        "actions": list(bill_payment_actions(business, [bill.pk]).order_by("-created_at")),
        "accounts": list(Account.objects.cash().order_by("name")),
        "token": form_token(),
        "today": today_for(request),
        "currency": currency,
        "impact_days": impact_days,
        "impact_sentence": impact_sentence,
        "forecast_date": forecast_date,
        "approval_limit": limit,
        "can_approve": bill_can_approve(role=role, bill=bill, approval_limit=limit),
    }


@portal_view
def bill_detail(request, pk: int):
    bill = get_object_or_404(Bill.objects.select_related("vendor"), pk=pk)
    return render(request, "portal/bills/detail.html", _detail_context(request, bill))


def _after(request, bill: Bill, message: str, *, tick_tray: bool = True):
    return action_done_from_tray(
        request, message, default_next=f"/bills/{bill.pk}/",
        target=("bill", bill.pk) if tick_tray else None,
    )


def _bill_change(request, pk: int, change, message: str, *, tick_tray: bool = True):
    """Run `change(bill)` (a workflow service); its refusal, or back to the bill with `message`."""
    bill = get_object_or_404(Bill, pk=pk)
    try:
        bill = change(bill)
    except ApplicationError as exc:
        return action_error(request, exc)
    return _after(request, bill, message, tick_tray=tick_tray)


@require_POST
@portal_view
def bill_approve_view(request, pk: int):
    return _bill_change(
        request, pk, lambda bill: bill_approve(actor=request.user, bill=bill,
                                               approval_limit=approval_limit()),
        "Approved.", tick_tray=False)


@require_POST
@portal_view
def bill_schedule_view(request, pk: int):
    bill = get_object_or_404(Bill, pk=pk)
    try:
        pay_on = parse_date(request.POST.get("pay_on"), label="payment date")
        bill = bill_schedule(
            actor=request.user, bill=bill, pay_on=pay_on, approval_limit=approval_limit()
        )
    except ApplicationError as exc:
        return action_error(request, exc)
    return _after(request, bill, f"Scheduled for {pay_on:%a %b %-d}; the forecast moved with it.")


@require_POST
@portal_view
def bill_hold_view(request, pk: int):
    return _bill_change(
        request, pk, lambda bill: bill_hold(actor=request.user, bill=bill,
                                            reason=request.POST.get("reason", "")),
        "On hold. It stays out of the tray until you release it.")


@require_POST
@portal_view
def bill_release_view(request, pk: int):
    return _bill_change(request, pk, lambda bill: bill_release(actor=request.user, bill=bill),
                        "Released; it needs approval again.", tick_tray=False)


@require_POST
@portal_view
def bill_pay_view(request, pk: int):
    bill = get_object_or_404(Bill, pk=pk)
    account_id = request.POST.get("account", "")
    account = (
        Account.objects.cash().filter(pk=int(account_id)).first()
        if (account_id.isdigit())
        else None
    )
    if account is None:
        return action_error(request, ApplicationError("Choose a bank account to pay from."))
    try:
        action = bill_pay_now(
            actor=request.user,
            bill=bill,
            account=account,
            amount=request.POST.get("amount") or None,
            idempotency_key=request.POST.get("idempotency_key", ""),
            approval_limit=approval_limit(),
        )
    except ApplicationError as exc:
        return action_error(request, exc)
    return _after(
        request,
        bill,
        f"Recorded as paid in QuickBooks: a bill payment of {action.payload.get('amount')} "
        f"({action.state}). No money moved; pay the vendor from your bank. Its status shows "
        "below.",
    )


@require_POST
@portal_view(write="bookkeeper")
def vendor_credit_apply_view(request, pk: int):
    """Apply a vendor credit to the bill the tray offered (through the outbox, once)."""
    credit = get_object_or_404(VendorCredit, pk=pk)
    return credit_apply_response(
        request, document_model=Bill, label="bill", thing="credit", what="credit",
        apply=lambda bill, **given: VENDOR_CREDIT.apply(actor=request.user, row=credit,
                                                        document=bill, **given),
        target=("vendor_credit", credit.pk),
    )
