"""Staff console (public admin, 2FA): digest runs of every business, with an audited resend.

A custom admin page (registered on the admin site's URLs) over the public summary rows; see
apps/digest/staff.py (no query ever reads many business schemas)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from apps.digest.services import digest_send
from apps.digest.staff import staff_runs
from apps.tenancy.models import Business


def runs_view(request):
    state = request.GET.get("state", "")
    context = {
        **admin.site.each_context(request),
        "title": "Digest runs",
        "runs": staff_runs(state=state, problem=bool(request.GET.get("problem"))),
        "state": state,
        "states": ["building", "sending", "sent", "partial", "unknown", "failed", "skipped"],
    }
    return TemplateResponse(request, "digest/admin_runs.html", context)


def resend_view(request, business_id: int, week: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    business = get_object_or_404(Business, pk=business_id)
    if not request.user.has_perm("staff.operate"):
        raise PermissionDenied
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, "A resend needs a reason (it is kept in the audit log).")
        return redirect("admin:digest-runs")
    report = digest_send(business, week, force=True, actor=request.user, reason=reason)
    messages.info(request, f"Resend of {week} for {business.name}: {report.state}, "
                           f"{report.sent} email(s) sent.")
    return redirect("admin:digest-runs")


_original_get_urls = admin.site.get_urls


def _get_urls():
    return [
        path("digest/runs/", admin.site.admin_view(runs_view), name="digest-runs"),
        path("digest/runs/<int:business_id>/<str:week>/resend/",
             admin.site.admin_view(resend_view), name="digest-resend"),
    ] + _original_get_urls()


admin.site.get_urls = _get_urls
