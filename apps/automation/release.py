"""Payments leaving their undo window: the first tick after it hands each `waiting` record
action to QuickBooks through the outbox (`bill_pay_now`, keyed by the row's own key), once.

What the tick checked when it queued the payment may no longer hold an hour later, so before
it goes: the bill must still be scheduled for that day and approved for its balance (else the
row ends `undone`), and the guardrails run again on the books as they are now — stale data,
and the runway floors with every other committed payment counted (else the row is `held`, as
the tick records a hold: the next tick retries it like any held action, into a new undo
window)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.ap.models import Bill
from apps.ap.services import bill_pay_now
from apps.automation.acting import business_lock, rule_actor
from apps.automation.guardrails import (
    Hold,
    Scenario,
    committed_payments,
    runway_hold,
    stale_hold,
)
from apps.automation.models import Rule, RuleAction
from apps.automation.plan import params_of, pay_account
from apps.core.dates import local_time
from apps.core.errors import ApplicationError
from apps.core.services.audit import audit_record
from apps.runway.engine import PayBillNow


@dataclass
class Released:
    count: int = 0  # handed to the outbox
    held: set[str] = field(default_factory=set)  # keys held back by a guardrail


def release_waiting(business: Any, now: datetime) -> Released:
    """Payments whose undo window is over go to QuickBooks through the outbox, once each."""
    out = Released()
    for pk in RuleAction.objects.filter(state=RuleAction.State.WAITING,
                                        undo_until__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            business_lock(business)
            row = RuleAction.objects.select_for_update().filter(
                pk=pk, state=RuleAction.State.WAITING).first()
            if row is None:
                continue  # undone, or another tick released it
            rule = Rule.objects.filter(kind=row.kind, state=Rule.State.ON).first()
            actor = rule_actor(rule) if rule else None
            bill = Bill.objects.filter(pk=int(row.target_id)).first()
            account = pay_account(params_of(rule)) if rule else None
            changed = _changed_in_window(bill, row) if bill is not None else ""
            if changed:  # the owner's own change undid it (or a sync outgrew the approval)
                row.state, row.reason, row.reason_text, row.undo_until = (
                    RuleAction.State.UNDONE, "changed", changed[:300], None)
                row.save(update_fields=["state", "reason", "reason_text", "undo_until",
                                        "updated_at"])
                audit_record(actor=actor, action="automation.payment_dropped", business=business,
                             object_type="ap.Bill", object_id=row.target_id,
                             after={"key": row.key, "why": changed})
                continue
            hold = None
            if actor is not None and bill is not None and account is not None:
                hold = _hold(business, rule, row, now)
            if hold is not None:
                _held(business, actor, row, hold)
                out.held.add(row.key)
                continue
            try:
                if actor is None or bill is None or account is None:
                    raise ApplicationError("the rule is off, its owner is gone, the bill is "
                                           "gone or no bank account is linked to QuickBooks")
                with transaction.atomic():
                    action = bill_pay_now(actor=actor, bill=bill, account=account,
                                          idempotency_key=row.key, approval_limit=Decimal(0))
            except ApplicationError as exc:
                row.state, row.reason, row.reason_text = (RuleAction.State.FAILED, "failed",
                                                          str(exc.message)[:300])
                row.save(update_fields=["state", "reason", "reason_text", "updated_at"])
                continue
            row.state, row.action_key, row.undo_until = RuleAction.State.DONE, action.key, None
            row.save(update_fields=["state", "action_key", "undo_until", "updated_at"])
            out.count += 1
    return out


def _changed_in_window(bill: Bill, row: RuleAction) -> str:
    """Why a waiting payment no longer goes, or "": what the plan required when it queued it
    (scheduled for that day, approved for the balance) must still hold when it is released."""
    on = row.key.rsplit(":", 1)[-1]  # record:bill:<pk>:<date>
    if bill.status != Bill.Status.SCHEDULED or str(bill.scheduled_date) != on:
        return f"Not paid: the bill is no longer scheduled for {on}."
    if not bill.approval_holds():
        return "Not paid: the bill's balance grew past what was approved; approve it again."
    return ""


def _hold(business: Any, rule: Rule, row: RuleAction, now: datetime) -> Hold | None:
    """The guardrails again, as the tick ran them, on today's books: a sync in the window may
    have lowered the balance, or none may have come. The runway counts every other committed
    payment (this one is the decision, so it is left out of them, not counted twice)."""
    hold = stale_hold(business, rule, now)
    if hold is None and (rule.floor_days is not None or rule.floor_amount is not None):
        today = local_time(now, business.timezone).date()
        scenario = Scenario(business, today, committed_payments(business, leave_out=row.key))
        hold = runway_hold(rule, scenario, PayBillNow(row.target_id))
    return hold


def _held(business: Any, actor: Any, row: RuleAction, hold: Hold) -> None:
    """Recorded as the tick records a hold (the tray shows it); audited, as the queued payment
    was, so Activity says why it did not go."""
    row.state, row.reason, row.reason_text, row.undo_until = (
        RuleAction.State.HELD, hold.code, hold.text[:300], None)
    row.save(update_fields=["state", "reason", "reason_text", "undo_until", "updated_at"])
    audit_record(actor=actor, action="automation.payment_held", business=business,
                 object_type="ap.Bill", object_id=row.target_id,
                 after={"key": row.key, "why": hold.text, "reason": hold.code})
