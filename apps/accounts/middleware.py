from django.db import connection
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.http import urlencode

from apps.accounts.models import Membership
from apps.accounts.permissions import OPEN, required_role, role_allows
from apps.core.rows import row_get
from apps.core.services.activity import activity_touch


class MembershipMiddleware:
    """Attaches `request.business` and `request.membership` on tenant hosts and enforces the
    view's declared access (see apps.accounts.permissions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.business = None
        request.membership = None
        if connection.schema_name != "public":
            request.business = connection.tenant
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                # Unique per (user, business); one prepared statement, not the ORM per request.
                request.membership = row_get(Membership, "user_id = %s AND business_id = %s",
                                             [user.pk, request.business.pk])
                if request.membership is not None:
                    activity_touch(request.business)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.business is None:
            return None
        access = getattr(view_func, "oodaloo_access", None)
        if access is None:
            access = getattr(getattr(view_func, "cls", None), "oodaloo_access", None)
        if access == OPEN:
            return None
        if access is None:
            return HttpResponseForbidden("This page has no access policy.")
        is_api = request.path.startswith("/api/")
        if not request.user.is_authenticated:
            if is_api:
                return JsonResponse(
                    {"error": {"code": "not_authenticated", "message": "Sign in first."}},
                    status=401,
                )
            return redirect(f"/login/?{urlencode({'next': request.get_full_path()})}")
        if request.membership is None:
            raise Http404("No such page.")
        role = required_role(access, request.method)
        if not role_allows(request.membership, role):
            message = f"Your role ({request.membership.role}) can't do this; it needs {role}."
            if is_api:
                return JsonResponse(
                    {"error": {"code": "permission_denied", "message": message}}, status=403
                )
            html = render_to_string("portal/forbidden.html", {"message": message}, request)
            return HttpResponseForbidden(html)
        return None
