"""The business-host end of support's "view as owner" link."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect

from apps.accounts.permissions import open_view
from apps.core.errors import ApplicationError
from apps.staff.support import SESSION_KEY, support_link_consume


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
