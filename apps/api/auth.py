"""API authentication: the session (browser) or a JWT that names its business.

A token is issued on a business's host and carries that business's schema; it is refused on any
other business's host, and the membership is re-checked on every request (a removed member's
token stops working at once)."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.http import JsonResponse
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.accounts.models import Membership
from apps.accounts.permissions import SAFE_METHODS
from apps.api.keys import api_key_authenticate
from apps.api.models import ApiKey
from apps.core.errors import ApplicationError

BUSINESS_CLAIM = "business"
# POSTs that change nothing (a what-if forecast): a read-only key may send them.
READ_ONLY_POSTS = frozenset({"/api/v1/runway/scenario/"})
API_KEY_SCHEME = "Api-Key "
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


def tokens_rotate(raw_refresh: str, business) -> dict:
    """Trade a refresh token for a new pair; the old one is blacklisted (single use). Refused if
    the token is for another business, blacklisted, expired, or its user left the business."""
    refresh = _refresh_for(raw_refresh, business)
    user = get_user_model().objects.filter(pk=refresh.get("user_id"), is_active=True).first()
    if user is None or not Membership.objects.filter(user=user, business=business).exists():
        raise NotAuthenticated("The refresh token's user is no longer a member.")
    if refresh.get(EPOCH_CLAIM) != user.session_epoch:
        raise NotAuthenticated("This token was ended by a sign-out; sign in again.")
    _spend(refresh)
    return tokens_for(user, business)


def tokens_revoke(raw_refresh: str, business, *, user) -> None:
    """Sign-out: blacklist the presented refresh token (it must be the caller's own). Access
    tokens are short-lived (SIMPLE_JWT) and simply expire."""
    refresh = _refresh_for(raw_refresh, business)
    if str(refresh.get("user_id")) != str(user.pk):
        raise NotAuthenticated("That refresh token is not yours.")
    _spend(refresh)


def _spend(refresh: RefreshToken) -> None:
    """Blacklist `refresh` once: two requests with the same token each passed the blacklist
    check when it was read, so they take turns on its outstanding row and only the one that
    blacklists it wins; the other is refused."""
    with transaction.atomic():
        OutstandingToken.objects.select_for_update().filter(jti=refresh[api_settings.JTI_CLAIM]).first()
        _, created = refresh.blacklist()
    if not created:
        raise NotAuthenticated("The refresh token is invalid, expired or revoked.")


def _refresh_for(raw: str, business) -> RefreshToken:
    try:
        refresh = RefreshToken(raw)
    except TokenError as exc:
        raise NotAuthenticated("The refresh token is invalid, expired or revoked.") from exc
    if refresh.get(BUSINESS_CLAIM) != business.schema_name:
        raise NotAuthenticated("This token belongs to another business.")
    return refresh


class NotAuthenticated(ApplicationError):
    code = "not_authenticated"
    status = 401


def _unauthorized(message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": "not_authenticated", "message": message}}, status=401)


class BearerTokenMiddleware:
    """Runs before MembershipMiddleware so role checks see the token's user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.startswith(API_KEY_SCHEME):
            return self._with_api_key(request, header.removeprefix(API_KEY_SCHEME))
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


    def _with_api_key(self, request, raw: str):
        if connection.schema_name == "public":
            return _unauthorized("API keys work on a business's host only.")
        found = api_key_authenticate(raw)
        if found is None:
            return _unauthorized("The API key is invalid or has been revoked.")
        key, user = found
        if (key.scope == ApiKey.Scope.READ and request.method not in SAFE_METHODS
                and not (request.method == "POST" and request.path in READ_ONLY_POSTS)):
            return JsonResponse({"error": {"code": "key_scope", "message":
                                "This API key is read-only."}}, status=403)
        request.user = user
        request.api_token = key
        request.api_key = key
        request._dont_enforce_csrf_checks = True  # an API key is not an ambient credential
        return self.get_response(request)


def refuses_api_keys(view):
    """Wrap a view that manages credentials, the team, where the business's data goes or the
    business itself, so an API key may read but not change anything there: a key that could
    mint keys, invite an owner or point the alert webhook elsewhere would outlive its own
    revocation, and one that could delete the business would make a leak irreversible. A
    session or a user's JWT (a person signed in) still works."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request, "api_key", None) is not None and request.method not in SAFE_METHODS:
            return JsonResponse({"error": {"code": "api_key_refused", "message": (
                "This needs a person signed in (the portal or a user token), not an API key: "
                "keys, the team, alert destinations, owner settings and deleting the business "
                "are not for keys.")}}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


class MiddlewareTokenAuthentication(BaseAuthentication):
    """Lets DRF see the user that BearerTokenMiddleware authenticated."""

    def authenticate(self, request):
        token = getattr(request._request, "api_token", None)
        if token is None:
            return None
        return request._request.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api", Api-Key'

