"""The partner's pages: the firm's people, its clients and who is granted which client."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.firm_access import (
    GRANTABLE_ROLES,
    firm_client_create,
    firm_client_end,
    firm_grant,
    firm_grant_revoke,
    firm_invitation_create,
    firm_member_remove,
)
from apps.accounts.models import FirmClient, FirmInvitation, FirmMember, FirmRole, Membership
from apps.core.errors import ApplicationError
from apps.firm.access import firm_view


def _back(request):
    return redirect("firm-team", firm_slug=request.firm.slug)


def _run(request, action, success: str, **kwargs):
    try:
        action(actor=request.user, **kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _back(request)


@firm_view(partner=True)
def team(request):
    firm = request.firm
    members = list(FirmMember.objects.filter(firm=firm).select_related("user")
                   .order_by("user__email"))
    clients = list(FirmClient.objects.filter(firm=firm).select_related("business")
                   .order_by("business__name"))
    grants = list(Membership.objects.filter(firm=firm).select_related("user"))
    for client in clients:
        client.grants = [g for g in grants if g.business_id == client.business_id]
    return render(request, "firm/team.html", {
        "firm": firm, "member": request.firm_member, "members": members, "clients": clients,
        "firm_roles": FirmRole.choices, "grant_roles": GRANTABLE_ROLES,
        "invitations": FirmInvitation.objects.filter(
            firm=firm, accepted_at__isnull=True, expires_at__gt=timezone.now()),
        "new_link": request.session.pop("firm_invite_link", None),
    })


def _run_with_link(request, make_link, success: str):
    """An action whose result is a one-time link, shown once on the team page."""
    try:
        link = make_link()
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back(request)
    request.session["firm_invite_link"] = link
    messages.success(request, success)
    return _back(request)


@require_POST
@firm_view(partner=True)
def member_invite(request):
    return _run_with_link(request, lambda: firm_invitation_create(
        actor=request.user, firm=request.firm, email=request.POST.get("email", ""),
        role=request.POST.get("role", "")), "Invitation sent.")


@require_POST
@firm_view(partner=True)
def grant_add(request, pk: int):
    client = get_object_or_404(FirmClient, pk=pk, firm=request.firm)
    member = get_object_or_404(FirmMember, pk=request.POST.get("member") or 0, firm=request.firm)
    return _run(request, firm_grant, "Access granted.", firm=request.firm,
                business=client.business, user=member.user, role=request.POST.get("role", ""))


@require_POST
@firm_view(partner=True)
def client_new(request):
    return _run_with_link(request, lambda: firm_client_create(
        actor=request.user, firm=request.firm, slug=request.POST.get("slug", ""),
        name=request.POST.get("name", ""), owner_email=request.POST.get("owner_email", ""),
        timezone_name=request.POST.get("timezone") or request.firm.timezone,
    )[1], "Client created; its owner was invited.")


def _partner_row_view(model, action, success: str, field: str):
    """A partner's POST on one of this firm's `model` rows (`pk`): `action(actor=,
    <field>=row)`, back on the team page."""

    @require_POST
    @firm_view(partner=True)
    def view(request, pk: int):
        return _run(request, action, success,
                    **{field: get_object_or_404(model, pk=pk, firm=request.firm)})

    return view


member_remove = _partner_row_view(FirmMember, firm_member_remove, "Removed from the firm.",
                                  "member")
grant_revoke = _partner_row_view(Membership, firm_grant_revoke, "Access revoked.", "membership")
client_end = _partner_row_view(FirmClient, firm_client_end,
                               "The firm no longer serves that client.", "link")
