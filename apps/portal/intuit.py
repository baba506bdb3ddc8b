"""The public host's Intuit URLs, registered in Intuit's developer portal (docs/deploy.md):

- **Launch URL** (`/connect/qbo/launch/`): the QuickBooks App Store sends people here. Signed
  out: sign in or create an account, then come back. Signed in: the business they own (or a
  choice among several) opens its QuickBooks page, ready to connect.
- **Disconnect URL** (`/connect/qbo/disconnect/?realmId=…`): Intuit sends people here after they
  disconnect Oodaloo inside QuickBooks. The business whose company that was revokes what is left
  (once Intuit confirms the grant is gone) and lands on its "QuickBooks is disconnected" page.

The OAuth redirect URI (one per app) is `apps/integrations/sync/views.qbo_oauth_callback_forward`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.accounts.models import Role
from apps.accounts.services import businesses_for, handoff_url
from apps.integrations.qbo.errors import QboError
from apps.integrations.sync.connection import qbo_disconnect_if_revoked
from apps.integrations.sync.models import QboConnection

LAUNCH_PATH = "/connect/qbo/launch/"


def _owned(user):
    return businesses_for(user).filter(memberships__user=user, memberships__role=Role.OWNER)


@require_GET
def qbo_launch(request):
    if not request.user.is_authenticated:
        after = urlencode({"next": LAUNCH_PATH})
        return render(request, "portal/intuit_launch.html",
                      {"login_url": f"/login/?{after}", "signup_url": f"/signup/?{after}"})
    owned = list(_owned(request.user))
    chosen = [b for b in owned if b.slug == request.GET.get("business")] or owned
    if len(chosen) == 1:
        return redirect(handoff_url(user=request.user, business=chosen[0],
                                    next_path="/connect/qbo/?from=intuit"))
    return render(request, "portal/intuit_launch.html", {"businesses": owned})


@require_GET
def qbo_disconnect_url(request):
    if not request.user.is_authenticated:
        return redirect(f"/login/?{urlencode({'next': request.get_full_path()})}")
    realm = request.GET.get("realmId", "")
    conn = QboConnection.objects.filter(
        realm_id=realm, business__in=_owned(request.user)
    ).select_related("business").first() if realm else None
    if conn is not None:
        try:
            gone = qbo_disconnect_if_revoked(conn.business)
        except (QboError, OSError):
            gone = False  # Intuit did not answer: leave the connection as it is
        target = "/connect/qbo/disconnected/" if gone else "/connect/qbo/"
        return redirect(handoff_url(user=request.user, business=conn.business, next_path=target))
    return render(request, "portal/intuit_launch.html", {"businesses": list(_owned(request.user)),
                                                         "disconnected": True})
