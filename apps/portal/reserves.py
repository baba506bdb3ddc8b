"""Reserves: money set aside (payroll, taxes). Funding lowers Available, not Cash."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.core.errors import ApplicationError
from apps.portal.common import (
    BadInput,
    action_done,
    action_error,
    form_token,
    parse_date,
    today_for,
)
from apps.portal.runway_data import runway_now
from apps.portal.services import reserves_confirm
from apps.reserves.models import Reserve
from apps.reserves.services import reserve_create, reserve_fund, reserve_release, reserve_update


@portal_view
def reserve_list(request):
    result = runway_now(request.business)
    return render(
        request,
        "portal/reserves.html",
        {
            "reserves": list(Reserve.objects.order_by("-active", "name")),
            "kinds": Reserve.Kind.choices,
            "result": result,
            "currency": request.business.currency or "USD",
            # One per page: each fund/release form carries it (with its reserve and direction,
            # a second submit of the same form is recognised and moves nothing).
            "token": form_token(),
        },
    )


def _future_due_date(request, current=None):
    """The form's due date; a date already past is refused (unless it is the one it had)."""
    due = parse_date(request.POST.get("due_date"), label="due date", required=False)
    if due is not None and due != current and due < today_for(request):
        raise BadInput(f"The due date {due:%b %-d, %Y} has already passed; choose a later date.")
    return due


@require_POST
@portal_view
def reserve_create_view(request):
    try:
        reserve = reserve_create(
            actor=request.user,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", Reserve.Kind.CUSTOM),
            target=request.POST.get("target") or "0",
            due_date=_future_due_date(request),
        )
        reserves_confirm(actor=request.user, business=request.business)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, f"{reserve.name} reserve created.", default_next="/reserves/")


@require_POST
@portal_view
def reserve_update_view(request, pk: int):
    reserve = get_object_or_404(Reserve, pk=pk)
    try:
        fields = {}
        if "target" in request.POST:
            fields["target"] = request.POST.get("target") or "0"
        if "name" in request.POST:
            fields["name"] = request.POST.get("name", "")
        if "due_date" in request.POST:
            fields["due_date"] = _future_due_date(request, current=reserve.due_date)
        if request.POST.get("close"):
            fields["active"] = False
        reserve_update(actor=request.user, reserve=reserve, **fields)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, f"{reserve.name} updated.", default_next="/reserves/")


@require_POST
@portal_view
def reserve_move_view(request, pk: int, direction: str):
    if direction not in ("fund", "release"):
        raise Http404("no such reserve move")  # never guess: "sideways" must not release
    reserve = get_object_or_404(Reserve, pk=pk)
    move = reserve_fund if direction == "fund" else reserve_release
    # Like bill pay's `idempotency_key`: a double click or a resubmitted form moves money once.
    token = request.POST.get("form_token", "")
    try:
        if not token:
            raise BadInput("This form is out of date; reload the page and try again.")
        entry = move(
            request.user, reserve, request.POST.get("amount", ""), request.POST.get("note", ""),
            form_token=f"{direction}:{reserve.pk}:{token}",
        )
    except ApplicationError as exc:
        return action_error(request, exc)
    verb = "Set aside" if entry.amount > 0 else "Released"
    return action_done(
        request, f"{verb} {abs(entry.amount):,.2f} ({reserve.name}).", default_next="/reserves/"
    )


@require_POST
@portal_view
def reserves_skip_view(request):
    reserves_confirm(actor=request.user, business=request.business)
    return action_done(request, "Okay — no reserves for now.", default_next="/onboarding/")
