"""Who may open a firm console page: a member of the firm (else 404, never confirming the firm
exists); partner-only pages answer 403 to staff. Client data is reached only through the
person's grants (Memberships with ``firm`` set), never through the firm link alone."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseForbidden

from apps.accounts.models import FirmMember, FirmRole


def firm_view(view=None, *, partner: bool = False):
    def decorate(fn):
        @wraps(fn)
        def wrapper(request, firm_slug: str, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), "/login/")
            member = (FirmMember.objects.select_related("firm")
                      .filter(user=request.user, firm__slug=firm_slug).first())
            if member is None:
                raise Http404("No such page.")
            if partner and member.role != FirmRole.PARTNER:
                return HttpResponseForbidden("Only the firm's partners can do this.")
            request.firm, request.firm_member = member.firm, member
            return fn(request, *args, **kwargs)

        wrapper.firm_access = "partner" if partner else "member"
        return wrapper

    return decorate(view) if view is not None else decorate
