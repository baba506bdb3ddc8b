"""Automation: the rules (edit, preview, switch on/off) and what they did (undo within the
window). Owners set and switch rules; bookkeepers may propose one (saving it marks it proposed)
and undo an action. The preview is the tick's own dry run over this week."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.permissions import portal_view
from apps.automation.models import Rule, RuleAction
from apps.automation.plan import params_of
from apps.automation.rules import rule_action_undo, rule_save, rule_switch, rules_all
from apps.automation.tick import automation_preview
from apps.core.errors import ApplicationError
from apps.ledger.models import Account
from apps.portal.common import action_done, action_error
from apps.reserves.models import Reserve

FIELDS = {
    "limit": "Up to (amount)", "known_paid": "Known vendor: bills paid before, at least",
    "days_before": "Days before the due date", "account_id": "Pay from",
    "percent": "Percent of each payment", "reserve_id": "Into reserve",
}


@portal_view(read="bookkeeper", write="bookkeeper")
def automation_page(request):
    business = request.business
    rules = rules_all()
    kind = request.GET.get("preview", "")
    preview = None
    if kind in Rule.Kind.values:
        preview = automation_preview(business, kinds=(kind,))
    elif kind == "all":  # every rule, on or not, together (each sees the others' actions)
        preview = automation_preview(business)
    rows = []
    for rule in rules:
        params = params_of(rule)
        rows.append({"rule": rule, "fields": [(name, FIELDS[name], params.get(name))
                                              for name in params]})
    actions = list(RuleAction.objects.order_by("-updated_at", "-id")[:50])
    now = timezone.now()
    for a in actions:
        a.can_undo = (a.state in (RuleAction.State.DONE, RuleAction.State.WAITING)
                      and a.undo_until is not None and a.undo_until > now)
    return render(request, "portal/automation.html", {
        "rows": rows, "preview": preview, "preview_kind": kind,
        "preview_sentence": preview.sentence(business.currency or "USD") if preview else "",
        "actions": actions, "paused": business.automation_paused_at is not None,
        "accounts": list(Account.objects.in_runway().exclude(qbo_id="")),
        "reserves": list(Reserve.objects.filter(active=True)),
        "currency": business.currency or "USD",
    })


@require_POST
@portal_view(read="bookkeeper", write="bookkeeper")
def automation_save_view(request, kind: str):
    post = request.POST
    try:
        rule = rule_save(actor=request.user, kind=kind,
                         params={k: post.get(k) for k in FIELDS if k in post},
                         floor_days=post.get("floor_days"),
                         floor_amount=post.get("floor_amount"),
                         stale_hours=post.get("stale_hours") or 26)
    except (ApplicationError, Rule.DoesNotExist) as exc:
        return action_error(request, _as_error(exc))
    said = "proposed to the owner" if rule.state == Rule.State.PROPOSED else "saved"
    return action_done(request, f"{rule.name}: {said}.",
                       default_next=f"/automation/?preview={kind}")


@require_POST
@portal_view(read="bookkeeper", write="bookkeeper")
def automation_switch_view(request, kind: str, on: bool):
    try:
        rule = rule_switch(actor=request.user, kind=kind, on=on)
    except (ApplicationError, Rule.DoesNotExist) as exc:
        return action_error(request, _as_error(exc))
    return action_done(request, f"{rule.name}: {'on' if on else 'off'}.",
                       default_next="/automation/")


@require_POST
@portal_view(read="bookkeeper", write="bookkeeper")
def automation_undo_view(request, pk: int):
    try:
        row = rule_action_undo(actor=request.user, action_id=pk)
    except ApplicationError as exc:
        return action_error(request, exc)
    return action_done(request, f"Undone: {row.summary}", default_next="/automation/#activity")


def _as_error(exc: Exception) -> ApplicationError:
    if isinstance(exc, ApplicationError):
        return exc
    return ApplicationError("No such rule.")
