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
from apps.core.errors import ApplicationError
from apps.portal.common import action_done, action_error

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
            "new_link": request.session.pop("invite_link", None),
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
    try:
        link = invitation_create(
            actor=request.user,
            business=request.business,
            email=request.POST.get("email", ""),
            role=request.POST.get("role", ""),
        )
    except ApplicationError as exc:
        return action_error(request, exc)
    request.session["invite_link"] = link
    return action_done(request, "Invitation sent.", default_next="/team/")


@require_POST
@portal_view(**OWNER)
def team_role_view(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, business=request.business)
    try:
        membership_role_change(
            actor=request.user, membership=membership, role=request.POST.get("role", "")
        )
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, "Role changed.", default_next="/team/")


def _team_action(request, action, message: str, **kwargs):
    """Call one team service as the owner; its error, or ``message``, back on the team page."""
    try:
        action(actor=request.user, **kwargs)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, message, default_next="/team/")


@require_POST
@portal_view(**OWNER)
def team_remove_view(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, business=request.business)
    return _team_action(request, membership_remove, "Removed from the team.",
                        membership=membership)


@require_POST
@portal_view(**OWNER)
def team_invitation_revoke_view(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk, business=request.business)
    return _team_action(request, invitation_revoke, "Invitation revoked.", invitation=invitation)


# --- accounting firms (apps/accounts/firm_access.py) --------------------------------------------


@require_POST
@portal_view(**OWNER)
def team_firm_add_view(request):
    return _team_action(request, firm_client_invite, "The firm can now serve this business; "
                        "its partners choose who works on it.", business=request.business,
                        firm_ref=request.POST.get("firm", ""))


@require_POST
@portal_view(**OWNER)
def team_firm_end_view(request, pk: int):
    link = get_object_or_404(FirmClient, pk=pk, business=request.business)
    return _team_action(request, firm_client_end, "The firm's access was removed.", link=link)


@require_POST
@portal_view(**OWNER)
def team_grant_revoke_view(request, pk: int):
    membership = get_object_or_404(
        Membership, pk=pk, business=request.business, firm__isnull=False)
    return _team_action(request, firm_grant_revoke, "Access revoked.", membership=membership)
