"""API authentication: the session (browser) or a JWT that names its business.

A token is issued on a business's host and carries that business's schema; it is refused on any
other business's host, and the membership is re-checked on every request (a removed member's
token stops working at once)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import JsonResponse
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

BUSINESS_CLAIM = "business"
# The person's sign-out epoch when the token was issued: "sign out everywhere" ends tokens too.
EPOCH_CLAIM = "epoch"


def tokens_for(user, business) -> dict:
    refresh = RefreshToken.for_user(user)
    refresh[BUSINESS_CLAIM] = business.schema_name
    refresh[EPOCH_CLAIM] = user.session_epoch
    access = refresh.access_token
    access[BUSINESS_CLAIM] = business.schema_name
    access[EPOCH_CLAIM] = user.session_epoch
    return {"access": str(access), "refresh": str(refresh)}


def _unauthorized(message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": "not_authenticated", "message": message}}, status=401)


class BearerTokenMiddleware:
    """Runs before MembershipMiddleware so role checks see the token's user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.startswith("Bearer "):
            try:
                token = AccessToken(header.removeprefix("Bearer ").strip())
            except TokenError:
                return _unauthorized("The token is invalid or has expired.")
            if token.get(BUSINESS_CLAIM) != connection.schema_name:
                return _unauthorized("This token belongs to another business.")
            user = get_user_model().objects.filter(pk=token.get("user_id"), is_active=True).first()
            if user is None:
                return _unauthorized("The token's user no longer exists.")
            if token.get(EPOCH_CLAIM) != user.session_epoch:
                return _unauthorized("This token was ended by a sign-out; get a new one.")
            request.user = user
            request.api_token = token
            request._dont_enforce_csrf_checks = True  # bearer tokens are not ambient credentials
        return self.get_response(request)


class MiddlewareTokenAuthentication(BaseAuthentication):
    """Lets DRF see the user that BearerTokenMiddleware authenticated."""

    def authenticate(self, request):
        token = getattr(request._request, "api_token", None)
        if token is None:
            return None
        return request._request.user, token

    def authenticate_header(self, request):
        return "Bearer"
