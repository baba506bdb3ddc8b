"""Which Activity rows a person may still undo: the audit entries a rule wrote (approval,
schedule, reserve funding, a queued payment), each matched to its `RuleAction` while that
action's undo window is open. The undo itself is `rules.rule_action_undo`, as on the
Automation page. A read path (selector)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from apps.automation.models import Rule, RuleAction

RULE_LABEL = "rule “"  # how the audit log names a rule acting (apps/core/actors.RuleActor)


def _match(event: Any) -> tuple[str, str] | None:
    """(kind, what identifies its RuleAction) for an audit entry a rule wrote, else None."""
    if not (event.actor_label or "").startswith(RULE_LABEL):
        return None
    after = event.after or {}
    if event.action == "bill.approved" and event.object_type == "ap.Bill":
        return Rule.Kind.APPROVE, event.object_id
    if event.action == "bill.scheduled" and event.object_type == "ap.Bill":
        return Rule.Kind.SCHEDULE, event.object_id
    if event.action == "automation.payment_queued" and after.get("key"):
        return Rule.Kind.RECORD, str(after["key"])
    if event.action == "reserve.funded" and after.get("note"):
        return Rule.Kind.RESERVE, f"{event.object_id}|{after['note']}"
    return None


def _ident(row: RuleAction) -> str:
    if row.kind == Rule.Kind.RECORD:
        return row.key
    if row.kind == Rule.Kind.RESERVE:
        return f"{row.detail.get('reserve_id', '')}|{row.summary}"
    return row.target_id


def undoable_rule_actions(events: Iterable[Any], now: Any = None) -> dict[int, RuleAction]:
    """Audit event id → the rule action it records, for those still undoable (done or
    waiting, inside the window). Each action is offered on one row only (its latest entry)."""
    wanted = {e.pk: m for e in events if (m := _match(e)) is not None}
    if not wanted:
        return {}
    kinds = {kind for kind, _ in wanted.values()}
    rows = (RuleAction.objects.filter(kind__in=kinds, undo_until__gt=now or timezone.now(),
                                      state__in=(RuleAction.State.DONE,
                                                 RuleAction.State.WAITING))
            .filter(Q(kind__in=(Rule.Kind.RECORD, Rule.Kind.RESERVE))
                    | Q(target_type="bill",
                        target_id__in=[i for k, i in wanted.values()
                                       if k in (Rule.Kind.APPROVE, Rule.Kind.SCHEDULE)]))
            .order_by("-updated_at", "-pk"))
    by_ident: dict[tuple[str, str], list[RuleAction]] = {}
    for row in rows:
        by_ident.setdefault((row.kind, _ident(row)), []).append(row)
    out: dict[int, RuleAction] = {}
    for event_id in sorted(wanted, reverse=True):  # newest entry first takes the newest action
        candidates = by_ident.get(wanted[event_id])
        if candidates:
            out[event_id] = candidates.pop(0)
    return out
