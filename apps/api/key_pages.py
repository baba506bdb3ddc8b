"""The owner's API-keys page (Settings → API keys): list, create with a scope (the full key is
shown once, on the page that answers the creation, never again), revoke. The same services as
`POST /api/v1/keys/` and `manage.py api_key`."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import portal_view
from apps.api.keys import api_key_create, api_key_revoke
from apps.api.models import ApiKey
from apps.core.errors import ApplicationError

OWNER = {"read": Role.OWNER, "write": Role.OWNER}


def _page(request, *, created=None, error="", status=200):
    return render(request, "api/keys.html", {
        "keys": ApiKey.objects.all(), "scopes": ApiKey.Scope.choices, "created": created,
        "error": error,
    }, status=status)


@never_cache
@portal_view(**OWNER)
def api_keys_page(request):
    if request.method != "POST":
        return _page(request)
    try:
        key, raw = api_key_create(actor=request.user, business=request.business,
                                  name=request.POST.get("name", ""),
                                  scope=request.POST.get("scope", ""))
    except ApplicationError as exc:
        return _page(request, error=exc.message, status=exc.status)
    # Rendered, not redirected: the secret must not travel in a URL or a flash message store.
    return _page(request, created={"key": key, "raw": raw}, status=201)


@require_POST
@portal_view(**OWNER)
def api_key_revoke_view(request, pk: int):
    try:
        key = api_key_revoke(actor=request.user, business=request.business, key_id=pk)
    except ApplicationError as exc:
        return _page(request, error=exc.message, status=exc.status)
    messages.success(request, f"Key “{key.name}” revoked; it no longer works.")
    return redirect("/settings/api-keys/")


urlpatterns = [
    path("", api_keys_page, name="api-keys-page"),
    path("<int:pk>/revoke/", api_key_revoke_view, name="api-key-revoke-page"),
]
