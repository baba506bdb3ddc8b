"""Read-only portal access for an active support session (apps/staff/support.py).

Placed after ``MembershipMiddleware``: a staff user has no membership, so this lends the
request an unsaved owner membership for reading — and refuses every unsafe method first, so
nothing (form, button, API call) can write through a support session — except the banner's
"End support session" (END_PATH), which only ends it."""

from __future__ import annotations

from django.contrib.auth import logout
from django.http import HttpResponseForbidden, JsonResponse

from apps.accounts.models import Membership, Role
from apps.accounts.permissions import SAFE_METHODS
from apps.staff.support import END_PATH, SESSION_KEY, support_session_active

REFUSED = "Support view is read-only: nothing can be changed through it."


class SupportSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if session_id is None or getattr(request, "business", None) is None:
            return self.get_response(request)
        support = support_session_active(session_id, user=request.user,
                                         business=request.business)
        if support is None:
            logout(request)  # the time box is over: back to signing in
            return HttpResponseForbidden("Your support session has ended.")
        if request.method not in SAFE_METHODS and request.path != END_PATH:
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "read_only", "message": REFUSED}},
                                    status=403)
            return HttpResponseForbidden(REFUSED)
        request.support_session = support
        request.membership = Membership(user=request.user, business=request.business,
                                        role=Role.OWNER)
        return self.get_response(request)
