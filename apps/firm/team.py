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
from apps.accounts.services import invitation_email_clean
from apps.core.errors import ApplicationError
from apps.firm.access import firm_view


def _back(request):
    return redirect("firm-team", firm_slug=request.firm.slug)


def _run(request, action, success, **kwargs):
    """`action(actor=, **kwargs)`; its refusal, or `success` (or `success(result)`), back on
    the team page."""
    try:
        result = action(actor=request.user, **kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
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
    })


# An invitation's link goes to the invited address only (it proves that address): these pages
# say whom it was sent to and never show it.


@require_POST
@firm_view(partner=True)
def member_invite(request):
    return _run(request, firm_invitation_create,
                lambda invitation: f"Invitation sent to {invitation.email}.", firm=request.firm,
                email=request.POST.get("email", ""), role=request.POST.get("role", ""))


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
    owner_email = request.POST.get("owner_email", "")

    def sent(_client) -> str:
        return f"Client created; invitation sent to {invitation_email_clean(owner_email)}."

    return _run(request, firm_client_create, sent, firm=request.firm,
                slug=request.POST.get("slug", ""), name=request.POST.get("name", ""),
                owner_email=owner_email,
                timezone_name=request.POST.get("timezone") or request.firm.timezone)


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
