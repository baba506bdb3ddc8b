"""The business's own audit log: who did what, when."""

from __future__ import annotations

from django.shortcuts import render

from apps.accounts.permissions import portal_view
from apps.core.models import AuditEvent
from apps.portal.common import paginate, querystring_without_page


@portal_view(read="bookkeeper", write="owner")
def activity(request):
    qs = AuditEvent.objects.filter(business=request.business).order_by("-created_at", "-id")
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    return render(
        request,
        "portal/activity.html",
        {
            "page": paginate(request, qs),
            "action": action,
            "qs": querystring_without_page(request),
        },
    )
