"""Setting rules up (owner sets; a bookkeeper proposes, the owner approves by switching the
proposal on), staff's pause, and undo. Every change is audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.accounts.roles import membership_require
from apps.ap.models import Bill
from apps.ap.services import bill_approval_undo, bill_schedule
from apps.ar.reminders.sequences import collections_automation_set
from apps.automation.models import Rule, RuleAction
from apps.automation.plan import DEFAULTS
from apps.core.dates import business_now
from apps.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from apps.core.services.audit import audit_record
from apps.core.tenant import current_business
from apps.reserves.models import Reserve
from apps.reserves.services import reserve_release
from apps.tenancy.models import Business

DEFAULT_FLOOR_DAYS = Decimal("30")
DEFAULT_FLOOR_AMOUNT = Decimal("0")
PARAM_KINDS = {"limit": "money", "known_paid": "int", "days_before": "int", "account_id": "id",
               "percent": "percent", "reserve_id": "id"}


class RuleError(ApplicationError):
    code = "rule_invalid"


def _business() -> Any:
    return current_business(error=RuleError)


def _role(actor: Any, business: Any) -> str | None:
    return (Membership.objects.filter(user=actor, business=business)
            .values_list("role", flat=True).first())


def rules_all() -> list[Rule]:
    """Every kind's row (created off, with the defaults, the first time it is asked for)."""
    have = {r.kind: r for r in Rule.objects.all()}
    for kind in Rule.Kind.values:
        if kind not in have:
            have[kind] = Rule.objects.get_or_create(kind=kind, defaults={
                "params": dict(DEFAULTS[kind]), "floor_days": DEFAULT_FLOOR_DAYS,
                "floor_amount": DEFAULT_FLOOR_AMOUNT})[0]
    return [have[k] for k in Rule.Kind.values]


def _clean(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    out = dict(DEFAULTS[kind])
    for name, value in raw.items():
        if name not in DEFAULTS[kind]:
            continue
        value = "" if value is None else str(value).strip()
        what = PARAM_KINDS[name]
        try:
            if what == "id":
                out[name] = int(value) if value else None
            elif what == "int":
                out[name] = int(value)
                if out[name] < 0 or out[name] > 366:
                    raise ValueError
            else:
                number = Decimal(value.replace(",", "").lstrip("$"))
                if not number.is_finite() or number < 0 or (what == "percent" and number > 100):
                    raise ValueError
                out[name] = str(number.quantize(Decimal("0.01")))
        except (ValueError, InvalidOperation):
            raise RuleError(f"“{value}” is not a valid {name.replace('_', ' ')}.")
    return out


def _floor(value: Any, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").lstrip("$"))
    except InvalidOperation:
        raise RuleError(f"“{value}” is not a valid {what}.")
    if not number.is_finite():
        raise RuleError(f"“{value}” is not a valid {what}.")
    return number.quantize(Decimal("0.1") if what == "runway floor" else Decimal("0.01"))


def _state(rule: Rule) -> dict:
    return {"state": rule.state, "params": rule.params, "floor_days": rule.floor_days,
            "floor_amount": rule.floor_amount, "stale_hours": rule.stale_hours}


def rule_save(*, actor: Any, kind: str, params: dict[str, Any], floor_days: Any = None,
              floor_amount: Any = None, stale_hours: Any = 26) -> Rule:
    """An owner saves a rule's settings (a rule that is on stays on, with them). A bookkeeper's
    save is a proposal: the rule becomes `proposed` until an owner switches it on."""
    business = _business()
    role = membership_require(actor, business, Role.BOOKKEEPER,
                              message="Only owners set rules; bookkeepers may propose them.")
    try:
        hours = int(stale_hours)
    except (TypeError, ValueError):
        raise RuleError("The stale-data limit is a number of hours.")
    if not 1 <= hours <= 24 * 14:
        raise RuleError("The stale-data limit is between 1 hour and 14 days.")
    rules_all()
    with transaction.atomic():
        rule = Rule.objects.select_for_update().get(kind=kind)
        if role != Role.OWNER and rule.state == Rule.State.ON:
            raise PermissionDenied("This rule is on; only an owner can change it.")
        before = _state(rule)
        rule.params = _clean(kind, params)
        rule.floor_days = _floor(floor_days, "runway floor")
        rule.floor_amount = _floor(floor_amount, "low point floor")
        rule.stale_hours = hours
        if role != Role.OWNER:
            rule.state, rule.proposed_by_email = Rule.State.PROPOSED, actor.email
        rule.save()
        audit_record(actor=actor, business=business, obj=rule, before=before, after=_state(rule),
                     action="automation.rule_saved" if role == Role.OWNER
                     else "automation.rule_proposed")
    return rule


def rule_switch(*, actor: Any, kind: str, on: bool) -> Rule:
    """Owners switch a rule (or a bookkeeper's proposal) on or off."""
    business = _business()
    if _role(actor, business) != Role.OWNER:
        raise PermissionDenied("Only an owner can switch a rule on or off.")
    rules_all()
    with transaction.atomic():
        rule = Rule.objects.select_for_update().get(kind=kind)
        before = _state(rule)
        if on:
            rule.state, rule.switched_on_at = Rule.State.ON, business_now()
            rule.switched_on_by_email = actor.email
        else:
            rule.state = Rule.State.OFF
        rule.save()
        if kind == Rule.Kind.REMIND:  # the rule is the switch that lets reminders go out
            collections_automation_set(actor=actor, on=on)
        if not on:
            RuleAction.objects.filter(kind=kind, state=RuleAction.State.HELD).delete()
            _cancel_waiting(actor, business, kind)
        audit_record(actor=actor, business=business, obj=rule, before=before,
                     after=_state(rule) | {"proposed_by": rule.proposed_by_email},
                     action="automation.rule_on" if on else "automation.rule_off")
    if not on:  # its held-back items leave the Prep Tray now, not at the next sync
        from apps.tray.services import tray_generate

        tray_generate(business)
    return rule


def _cancel_waiting(actor: Any, business: Any, kind: str) -> None:
    """A payment waiting out its undo window goes only while its rule is on: switching the rule
    off cancels it, so switching it back on never releases a payment queued on old books. The
    bill stays scheduled for the owner to pay; like an undo, the rule never redoes that key.
    Row locks: a tick releasing one at the same moment either got it first or finds it gone."""
    why = "Not paid: the rule was switched off before the payment went out."
    for row in RuleAction.objects.select_for_update().filter(kind=kind,
                                                             state=RuleAction.State.WAITING):
        row.state, row.reason, row.reason_text = RuleAction.State.UNDONE, "rule_off", why
        row.undone_by_email, row.undo_until = actor.email, None
        row.save(update_fields=["state", "reason", "reason_text", "undone_by_email",
                                "undo_until", "updated_at"])
        audit_record(actor=actor, business=business, action="automation.payment_dropped",
                     object_type="ap.Bill", object_id=row.target_id,
                     after={"key": row.key, "why": why})


def rule_action_undo(*, actor: Any, action_id: int) -> RuleAction:
    """Undo what a rule did, within its window: approval, schedule, reserve funding, or a
    payment still waiting (before the outbox sends it). Owners and bookkeepers."""
    business = _business()
    membership_require(actor, business, Role.BOOKKEEPER,
                       message="Only owners and bookkeepers can undo a rule's action.")
    with transaction.atomic():
        row = RuleAction.objects.select_for_update().filter(pk=action_id).first()
        if row is None:
            raise NotFound("No such automatic action.")
        if row.state not in (RuleAction.State.DONE, RuleAction.State.WAITING):
            raise Conflict(f"This action is {row.get_state_display().lower()}; nothing to undo.")
        if row.undo_until is None or row.undo_until < business_now():
            raise Conflict("This action can no longer be undone"
                           + (" (the payment went to QuickBooks)." if row.action_key else "."))
        if row.kind == Rule.Kind.APPROVE:
            bill_approval_undo(actor=actor, bill=Bill.objects.get(pk=int(row.target_id)))
        elif row.kind == Rule.Kind.SCHEDULE:
            bill_schedule(actor=actor, bill=Bill.objects.get(pk=int(row.target_id)),
                          pay_on=None, approval_limit=Decimal(0))
        elif row.kind == Rule.Kind.RESERVE:
            reserve = Reserve.objects.get(pk=int(row.detail["reserve_id"]))
            reserve_release(actor, reserve, row.amount, note=f"Undo: {row.summary}"[:300])
        row.state, row.undone_by_email, row.undo_until = (RuleAction.State.UNDONE, actor.email,
                                                          None)
        row.save(update_fields=["state", "undone_by_email", "undo_until", "updated_at"])
        audit_record(actor=actor, business=business, action="automation.undone",
                     object_type="automation.RuleAction", object_id=str(row.pk),
                     after={"key": row.key, "summary": row.summary})
    return row


def automation_pause(*, business: Business, actor: Any, paused: bool, reason: str = "") -> bool:
    """Staff pause (or resume) a business's rules and reminders. Returns whether it changed."""
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        if (locked.automation_paused_at is not None) == paused:
            return False
        locked.automation_paused_at = timezone.now() if paused else None
        locked.save(update_fields=["automation_paused_at"])
        audit_record(actor=actor, business=locked, object_type="tenancy.Business",
                     object_id=str(locked.pk), action="staff.automation_paused" if paused
                     else "staff.automation_resumed", after={"reason": reason[:300]})
    business.automation_paused_at = locked.automation_paused_at
    return True


def business_automation_on(business: Business) -> bool:
    with tenant_context(business):
        return Rule.objects.filter(state=Rule.State.ON).exists()
