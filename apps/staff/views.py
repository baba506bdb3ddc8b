"""The business-host end of support's "view as owner" link, and the banner's button that ends it."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from apps.accounts.permissions import open_view
from apps.core.errors import ApplicationError
from apps.staff.support import SESSION_KEY, support_link_consume, support_session_end
from apps.tenancy.urls import public_url


@open_view
def support_enter(request):
    try:
        support = support_link_consume(token=request.GET.get("token", ""),
                                       business=request.business)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("tenant-login")
    login(request, support.staff, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = support.pk
    return redirect("/")


@open_view
@require_POST
def support_end(request):
    """End the support session at once (audited) and go back to the staff home."""
    support = getattr(request, "support_session", None)  # set by SupportSessionMiddleware
    if support is None:
        return redirect("tenant-login")
    support_session_end(session=support, actor=request.user)
    logout(request)
    return redirect(public_url("/admin/staff/home/"))
