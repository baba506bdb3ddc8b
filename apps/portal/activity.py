"""The business's own audit log: who did what, when — with **Undo** on a rule's action while its
window is open (the Automation page's undo: `automation.rules.rule_action_undo`)."""

from __future__ import annotations

from django.shortcuts import render

from apps.accounts.models import ROLE_RANK, Role
from apps.accounts.permissions import portal_view
from apps.automation.activity import undoable_rule_actions
from apps.core.activity_log import activity_filtered
from apps.portal.common import paginate, querystring_without_page


@portal_view(read="bookkeeper", write="owner")
def activity(request):
    qs = activity_filtered(request.business, request.GET)
    action = request.GET.get("action", "").strip()
    page = paginate(request, qs)
    role = getattr(request.membership, "role", None)
    if role is not None and ROLE_RANK[role] >= ROLE_RANK[Role.BOOKKEEPER]:
        undo = undoable_rule_actions(page.object_list)
        for event in page.object_list:
            event.rule_action = undo.get(event.pk)
    return render(
        request,
        "portal/activity.html",
        {
            "page": page,
            "action": action,
            "qs": querystring_without_page(request),
        },
    )
