"""API v1 (DRF). One view per operation with its own serializers; role checks come from the same
`portal_view` declarations as the portal (enforced by MembershipMiddleware)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import two_step
from apps.accounts.models import Membership
from apps.api.auth import tokens_for, tokens_revoke, tokens_rotate
from apps.api.conventions import validated
from apps.core.errors import PermissionDenied
from apps.core.services.audit import audit_record


class TokenIn(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField()
    otp = serializers.CharField(required=False, help_text="the two-step code, if it is on")


class TokenOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenObtainView(APIView):
    """Exchange a member's email and password for tokens bound to this business."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenIn, responses=TokenOut)
    def post(self, request):
        data = validated(TokenIn, request)
        user = authenticate(
            request._request, email=data["email"].lower(),
            password=data["password"],
        )
        business = connection.tenant
        if user is None or not Membership.objects.filter(user=user, business=business).exists():
            raise PermissionDenied("Those credentials don't match a member of this business.")
        if two_step.device_for(user) is not None and two_step.code_check(
            user=user, code=data.get("otp", "")
        ) is None:
            raise PermissionDenied("This account signs in in two steps: send its code as `otp`.")
        audit_record(actor=user, action="api.token_issued", business=business, obj=user)
        return Response(tokens_for(user, business))


class RefreshIn(serializers.Serializer):
    refresh = serializers.CharField()


class TokenRefreshView(APIView):
    """Trade a refresh token for a new access + refresh pair. Each refresh token works once
    (rotation): a replayed one is refused, so a stolen copy dies at the owner's next refresh."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=RefreshIn, responses=TokenOut)
    def post(self, request):
        data = validated(RefreshIn, request)
        return Response(tokens_rotate(data["refresh"], connection.tenant))


class SignOutView(APIView):
    """Revoke a refresh token (sign-out). Any member may sign themselves out."""

    @extend_schema(request=RefreshIn, responses={204: None})
    def post(self, request):
        data = validated(RefreshIn, request)
        tokens_revoke(data["refresh"], connection.tenant, user=request.user)
        return Response(status=204)
