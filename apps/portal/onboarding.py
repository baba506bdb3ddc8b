"""First-run checklist: connect QuickBooks, watch the first sync, bank, reserves, digest."""

from __future__ import annotations

from django.shortcuts import render

from apps.accounts.permissions import portal_view
from apps.integrations.sync.models import QboConnection, SyncRun
from apps.portal.plaid_link import plaid_link_csp
from apps.portal.services import onboarding_steps


def _progress(business) -> dict:
    conn = QboConnection.objects.filter(business=business).first()
    run = SyncRun.objects.filter(business=business, source=SyncRun.Source.QBO).first()
    counts = sorted((run.entities or {}).items()) if run else []
    return {
        "conn": conn,
        "run": run,
        "counts": counts,
        "total": sum(int(v) for _, v in counts if str(v).isdigit()),
        "running": run is not None and run.state == SyncRun.State.RUNNING,
    }


@plaid_link_csp
@portal_view
def onboarding(request):
    steps = onboarding_steps(request.business)
    return render(
        request,
        "portal/onboarding.html",
        {
            "steps": steps,
            "done_count": sum(1 for s in steps if s.done),
            "all_done": all(s.done for s in steps),
            "progress": _progress(request.business),
        },
    )


@portal_view
def onboarding_progress(request):
    """Polled by HTMX every 2 s while the first sync runs (stops polling once it's done)."""
    progress = _progress(request.business)
    finished = progress["run"] is not None and not progress["running"]
    # 286 tells HTMX to stop polling.
    return render(
        request,
        "portal/partials/sync_progress.html",
        {"progress": progress},
        status=286 if finished else 200,
    )
