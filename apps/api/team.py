"""The team over the API (owners): members and their roles, invitations, and the accounting
firms that serve the business — the `apps.accounts` services the portal's team page calls.
These rows live in the public schema, so every lookup is filtered by this business: another
business's id is a 404 like everywhere else."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.firm_access import firm_client_end, firm_client_invite, firm_grant_revoke
from apps.accounts.models import FirmClient, Invitation, Membership, Role
from apps.accounts.services import (
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_role_change,
)
from apps.api.base import action_view, model_out
from apps.api.conventions import idempotent_write, validated
from apps.core.errors import NotFound


def _mine(model, **extra):
    """`pk → row of this business` (public-schema rows: filtered by business, else 404)."""
    def find(pk):
        from django.db import connection

        row = model.objects.filter(pk=pk, business=connection.tenant, **extra).first()
        if row is None:
            raise NotFound("No such object in this business.")
        return row
    return find


class MemberOut(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    firm = serializers.CharField(source="firm.name", default=None, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "role", "firm", "created_at"]


InvitationOut = model_out("InvitationOut", Invitation, [
    "id", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at"])


class FirmOut(serializers.ModelSerializer):
    firm = serializers.CharField(source="firm.name")

    class Meta:
        model = FirmClient
        fields = ["id", "firm", "created_at"]


class TeamOut(serializers.Serializer):
    members = MemberOut(many=True)
    invitations = InvitationOut(many=True)
    firms = FirmOut(many=True)


class TeamView(APIView):
    """Who can see this business: members (a firm's grants say which firm), open invitations,
    and the firms that serve it."""

    @extend_schema(responses=TeamOut)
    def get(self, request):
        business = request.business
        return Response(TeamOut({
            "members": Membership.objects.filter(business=business)
            .select_related("user", "firm").order_by("pk"),
            "invitations": Invitation.objects.filter(
                business=business, accepted_at__isnull=True, revoked_at__isnull=True)
            .order_by("pk"),
            "firms": FirmClient.objects.filter(business=business).select_related("firm")
            .order_by("pk"),
        }).data)


class InviteIn(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)


# The invitation's public facts, never its link: the link proves the invited address, so it
# goes to that address only.
InvitedOut = model_out("InvitedOut", Invitation, ["id", "email", "role", "expires_at"])


class InvitationListView(APIView):
    @idempotent_write(request=InviteIn, responses={201: InvitedOut})
    def post(self, request):
        """Invite someone by email with a role; the link is emailed to that address only."""
        data = validated(InviteIn, request)
        invitation = invitation_create(actor=request.user, business=request.business, **data)
        return Response(InvitedOut(invitation).data, status=201)


class RoleIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class FirmIn(serializers.Serializer):
    firm = serializers.CharField(max_length=254,
                                 help_text="The firm's slug or one of its partners' email.")


class FirmAddView(APIView):
    @idempotent_write(request=FirmIn, responses={201: FirmOut})
    def post(self, request):
        """Let an accounting firm serve this business (its partners then grant access)."""
        data = validated(FirmIn, request)
        link = firm_client_invite(actor=request.user, business=request.business,
                                  firm_ref=data["firm"])
        return Response(FirmOut(link).data, status=201)


def _done(service, field):
    def call(request, row):
        service(actor=request.user, **{field: row})
    return call


MemberRoleView = action_view(
    _mine(Membership), lambda r, m, role: membership_role_change(actor=r.user, membership=m,
                                                                 role=role),
    MemberOut, body=RoleIn, doc="Change a member's role.")
MemberRemoveView = action_view(_mine(Membership), _done(membership_remove, "membership"), None,
                               status=204, doc="Remove someone from the team.")
InvitationRevokeView = action_view(_mine(Invitation), _done(invitation_revoke, "invitation"),
                                   None, status=204, doc="Take an invitation back.")
FirmEndView = action_view(_mine(FirmClient), _done(firm_client_end, "link"), None, status=204,
                          doc="End a firm's access (every grant it made goes with it).")
GrantRevokeView = action_view(_mine(Membership, firm__isnull=False),
                              _done(firm_grant_revoke, "membership"), None, status=204,
                              doc="Revoke one person's access granted by a firm.")
