"""Team and invitations (owner only); thin calls into apps.accounts.services."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.firm_access import firm_client_end, firm_client_invite, firm_grant_revoke
from apps.accounts.models import FirmClient, Invitation, Membership, Role
from apps.accounts.permissions import portal_view
from apps.accounts.services import (
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_role_change,
)
from apps.portal.common import service_action

OWNER = {"read": "owner", "write": "owner"}


@portal_view(**OWNER)
def team(request):
    business = request.business
    return render(
        request,
        "portal/team.html",
        {
            "members": list(
                Membership.objects.filter(business=business, firm__isnull=True)
                .select_related("user")
                .order_by("user__email")
            ),
            "firm_links": _firm_links(business),
            "invitations": list(
                Invitation.objects.filter(
                    business=business,
                    accepted_at__isnull=True,
                    revoked_at__isnull=True,
                    expires_at__gt=timezone.now(),
                ).order_by("-created_at")
            ),
            "roles": Role.choices,
        },
    )


def _firm_links(business) -> list[FirmClient]:
    """The firms serving the business, each with the grants its partners gave (`.grants`)."""
    links = list(FirmClient.objects.filter(business=business).select_related("firm")
                 .order_by("firm__name"))
    grants = list(Membership.objects.filter(business=business, firm__isnull=False)
                  .select_related("user").order_by("user__email"))
    for link in links:
        link.grants = [g for g in grants if g.firm_id == link.firm_id]
    return links


@require_POST
@portal_view(**OWNER)
def team_invite_view(request):
    # The link goes to the invited address only (it proves that address): never shown here.
    return service_action(
        request,
        lambda: invitation_create(
            actor=request.user,
            business=request.business,
            email=request.POST.get("email", ""),
            role=request.POST.get("role", ""),
        ),
        lambda invitation: f"Invitation sent to {invitation.email}.",
        default_next="/team/",
    )


@require_POST
@portal_view(**OWNER)
def team_role_view(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, business=request.business)
    return _team_action(request, membership_role_change, "Role changed.",
                        membership=membership, role=request.POST.get("role", ""))


def _team_action(request, action, message: str, **kwargs):
    """Call one team service as the owner; its error, or ``message``, back on the team page."""
    return service_action(request, lambda: action(actor=request.user, **kwargs), message,
                          default_next="/team/")


def _team_row_view(model, action, message: str, field: str, **lookup):
    """A POST view on one of this business's `model` rows (`pk`): `action(actor=, <field>=row)`
    as the owner, back on the team page."""

    @require_POST
    @portal_view(**OWNER)
    def view(request, pk: int):
        row = get_object_or_404(model, pk=pk, business=request.business, **lookup)
        return _team_action(request, action, message, **{field: row})

    return view


team_remove_view = _team_row_view(Membership, membership_remove, "Removed from the team.",
                                  "membership")
team_invitation_revoke_view = _team_row_view(Invitation, invitation_revoke,
                                             "Invitation revoked.", "invitation")


# --- accounting firms (apps/accounts/firm_access.py) --------------------------------------------


@require_POST
@portal_view(**OWNER)
def team_firm_add_view(request):
    return _team_action(request, firm_client_invite, "The firm can now serve this business; "
                        "its partners choose who works on it.", business=request.business,
                        firm_ref=request.POST.get("firm", ""))


team_firm_end_view = _team_row_view(FirmClient, firm_client_end,
                                    "The firm's access was removed.", "link")
team_grant_revoke_view = _team_row_view(Membership, firm_grant_revoke, "Access revoked.",
                                        "membership", firm__isnull=False)
