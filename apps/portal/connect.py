"""Owner-only pages to connect and disconnect QuickBooks (thin: services do the work)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.integrations.sync.connection import (
    ConnectError,
    connection_for,
    connection_needs_reconnect,
    qbo_authorization_url,
    qbo_connect_complete,
    qbo_disconnect,
    qbo_state_check,
    qbo_state_make,
)
from apps.integrations.sync.models import QboConnection, SyncRun
from apps.portal.csp import csp_allowing

OWNER_ONLY = {"read": "owner", "write": "owner"}
INTUIT_SIGN_IN = "https://appcenter.intuit.com"


def intuit_sign_in_origin() -> str:
    """Where "Connect to QuickBooks" redirects: Intuit's app center, or in development the local
    sandbox named by QBO_ENVIRONMENT (its OpenID discovery URL)."""
    environment = settings.QBO_ENVIRONMENT
    if environment in ("sandbox", "production"):
        return INTUIT_SIGN_IN
    parts = urlsplit(environment)
    return f"{parts.scheme}://{parts.netloc}"


# The page's form posts to us and we redirect to Intuit: CSP form-action must allow it.
intuit_csp = csp_allowing(lambda: {"form-action": [intuit_sign_in_origin()]})


@intuit_csp
@portal_view(**OWNER_ONLY)
def connect_qbo(request):
    business = request.business
    conn = connection_for(business)
    connected = conn is not None and conn.status != QboConnection.Status.DISCONNECTED
    context = {
        "conn": conn if connected else None,
        "needs_reconnect": connection_needs_reconnect(conn),
        "last_run": SyncRun.objects.filter(business=business, source="qbo").first(),
        "from_intuit": request.GET.get("from") == "intuit",  # our launch URL sent them here
    }
    return render(request, "portal/connect_qbo.html", context)


@require_POST
@portal_view(**OWNER_ONLY)
def connect_qbo_start(request):
    state = qbo_state_make(request.business, request.user)
    return redirect(qbo_authorization_url(request.business, state))


@portal_view(**OWNER_ONLY)
def connect_qbo_callback(request):
    business = request.business
    if request.GET.get("error"):
        messages.error(request, "QuickBooks was not connected: access was not granted.")
        return redirect("connect-qbo")
    try:
        qbo_state_check(business, request.GET.get("state", ""))
        conn = qbo_connect_complete(
            business,
            request.GET.get("code", ""),
            request.GET.get("realmId", ""),
            actor=request.user,
        )
    except ConnectError as exc:
        messages.error(request, str(exc))
        return redirect("connect-qbo")
    messages.success(
        request, f"Connected to {conn.company_name or 'QuickBooks'}. Your books are syncing now."
    )
    return redirect("connect-qbo")


@require_POST
@portal_view(**OWNER_ONLY)
def disconnect_qbo(request):
    qbo_disconnect(request.user, request.business)
    return redirect("connect-qbo-disconnected")


@intuit_csp
@portal_view(**OWNER_ONLY)
def connect_qbo_disconnected(request):
    """The disconnect landing page (also where Intuit's Disconnect URL ends): what
    disconnecting means, and the button to connect again."""
    conn = connection_for(request.business)
    if conn is not None and conn.status != QboConnection.Status.DISCONNECTED:
        return redirect("connect-qbo")
    return render(request, "portal/qbo_disconnected.html", {"conn": conn})
