"""Team and invitations (owner only); thin calls into apps.accounts.services."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Invitation, Membership, Role
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
                Membership.objects.filter(business=business)
                .select_related("user")
                .order_by("user__email")
            ),
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


@require_POST
@portal_view(**OWNER)
def team_remove_view(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk, business=request.business)
    try:
        membership_remove(actor=request.user, membership=membership)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, "Removed from the team.", default_next="/team/")


@require_POST
@portal_view(**OWNER)
def team_invitation_revoke_view(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk, business=request.business)
    try:
        invitation_revoke(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, "Invitation revoked.", default_next="/team/")
