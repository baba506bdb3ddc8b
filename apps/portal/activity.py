"""The business's own audit log: who did what, when."""

from __future__ import annotations

from django.shortcuts import render

from apps.accounts.permissions import portal_view
from apps.core.activity_log import activity_filtered
from apps.portal.common import paginate, querystring_without_page


@portal_view(read="bookkeeper", write="owner")
def activity(request):
    qs = activity_filtered(request.business, request.GET)
    action = request.GET.get("action", "").strip()
    return render(
        request,
        "portal/activity.html",
        {
            "page": paginate(request, qs),
            "action": action,
            "qs": querystring_without_page(request),
        },
    )
