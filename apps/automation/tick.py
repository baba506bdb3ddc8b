"""The automation tick and its dry run (the preview): plan (apps/automation/plan.py), pass each
step through the guardrails, then act — or, in a dry run, only count.

Exactly once: each step runs in one transaction with its `RuleAction` row (unique key). A worker
killed mid-step rolls both back and the redelivered tick acts then; a finished step's row makes
every later tick skip it. Payments wait out the undo window as `waiting` rows; the first tick
after it hands them to the outbox under the row's own key (`bill_pay_now` with a key derived
from it), so even a crash between the outbox row and our row cannot pay twice — after checking
the guardrails again (apps/automation/release.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.ap.models import Bill
from apps.ap.services import bill_approve, bill_schedule
from apps.automation.acting import business_lock, rule_actor
from apps.automation.guardrails import (
    REASONS,
    Hold,
    Scenario,
    committed_payments,
    runway_hold,
    stale_hold,
)
from apps.automation.models import Rule, RuleAction
from apps.automation.plan import Step, params_of, plan
from apps.automation.release import release_waiting
from apps.core.actors import RuleActor
from apps.core.dates import business_now
from apps.core.errors import ApplicationError
from apps.core.money import format_money
from apps.core.services.audit import audit_record
from apps.reserves.models import Reserve
from apps.reserves.services import reserve_fund

log = logging.getLogger(__name__)

REMIND_AT = dtime(8, 0)  # as the collections tick: reminders at the start of the local day


@dataclass
class Outcome:
    step: Step
    state: str  # done | waiting | held | failed (dry run: would)
    hold: Hold | None = None


@dataclass
class TickReport:
    state: str = "done"  # done | paused | off
    outcomes: list[Outcome] = field(default_factory=list)
    released: int = 0

    def count(self, kind: str, states=("done", "waiting")) -> int:
        return sum(1 for o in self.outcomes if o.step.kind == kind and o.state in states)

    def held(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state == "held"]

    def amount(self, kind: str) -> Decimal:
        return sum((o.step.amount or Decimal(0) for o in self.outcomes
                    if o.step.kind == kind and o.state in ("done", "waiting")), Decimal(0))

    def sentence(self, currency: str) -> str:
        """ "would approve 6 bills for $4,210, schedule 3, record 2 payments; held back 1:
        runway floor" """
        parts = []
        n = self.count(Rule.Kind.APPROVE)
        if n:
            total = format_money(self.amount(Rule.Kind.APPROVE), currency)
            parts.append(f"approve {n} bill(s) for {total}")
        for kind, word in ((Rule.Kind.SCHEDULE, "schedule {n}"),
                           (Rule.Kind.RECORD, "record {n} payment(s)"),
                           (Rule.Kind.REMIND, "send {n} day(s) of reminders"),
                           (Rule.Kind.RESERVE, "fund a reserve {n} time(s)")):
            n = self.count(kind)
            if n:
                parts.append(word.format(n=n) + (
                    f" for {format_money(self.amount(kind), currency)}"
                    if kind == Rule.Kind.RESERVE else ""))
        text = ", ".join(parts) or "do nothing"
        held = self.held()
        if held:
            reasons = sorted({REASONS.get(o.hold.code, o.hold.code) for o in held if o.hold})
            text += f"; held back {len(held)}: {', '.join(reasons)}"
        return text


def rules_on(kinds: tuple[str, ...] = ()) -> dict[str, Rule]:
    qs = Rule.objects.filter(state=Rule.State.ON)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return {r.kind: r for r in qs}


def _local(business: Any, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(business.timezone))


def evaluate(business: Any, rules: dict[str, Rule], now: datetime, days: int,
             *, with_time: bool) -> list[Outcome]:
    """Plan and pass the guardrails (writes nothing): outcome `done` means "would act"."""
    local = _local(business, now)
    today, until = local.date(), local.date() + timedelta(days=days)
    remind_days = [today + timedelta(days=i) for i in range(days + 1)]
    if with_time and local.time() < REMIND_AT:
        remind_days = remind_days[1:]
    steps = plan(business, rules, today, until, remind_days=remind_days)
    scenario = Scenario(business, today, committed_payments(business))
    owners = {kind: rule_actor(rule) for kind, rule in rules.items()}
    out = []
    acting: set[str] = set()
    for step in steps:
        if step.after and step.after not in acting:
            continue  # what it builds on was held back: it waits with it
        rule = rules[step.kind]
        hold = stale_hold(business, rule, now)
        if hold is None and owners[step.kind] is None:
            hold = Hold("no_owner", "Held back: the owner who switched this rule on is no "
                                    "longer an owner of the business.")
        if hold is None and step.kind != Rule.Kind.REMIND:
            # Reminders move no cash: only stale data holds them back.
            hold = runway_hold(rule, scenario, step.decision)
        if hold is None:
            scenario.accept(step.decision)
            acting.add(step.key)
            out.append(Outcome(step, "done"))
        else:
            out.append(Outcome(step, "held", hold))
    return out


def automation_preview(business: Any, *, kinds: tuple[str, ...] = (), days: int = 6,
                       include_off: bool = True, now: datetime | None = None) -> TickReport:
    """The dry run: what the rules would do over this week (today and the next `days` days).
    `include_off`: preview rules not yet on too (the page shows it before switching one on)."""
    now = now or business_now()
    with tenant_context(business):
        qs = Rule.objects.all() if include_off else Rule.objects.filter(state=Rule.State.ON)
        if kinds:
            qs = qs.filter(kind__in=kinds)
        rules = {r.kind: r for r in qs}
        if include_off:  # a rule not yet on previews with its owner-to-be's authority
            for rule in rules.values():
                if not rule.switched_on_by_email:
                    rule.switched_on_by_email = _an_owner_email()
        return TickReport(outcomes=evaluate(business, rules, now, days, with_time=False))


def _an_owner_email() -> str:
    return (Membership.objects.filter(business=connection.tenant, role=Role.OWNER)
            .order_by("pk").values_list("user__email", flat=True).first() or "")


def automation_tick(business: Any, *, now: datetime | None = None) -> TickReport:
    """One tick of every rule that is on. Safe to run any number of times, concurrently."""
    from apps.tray.services import tray_generate

    now = now or business_now()
    business.refresh_from_db(fields=["automation_paused_at", "last_sync_at"])
    if business.automation_paused_at is not None:
        return TickReport(state="paused")
    with tenant_context(business):
        rules = rules_on()
        if not rules:
            return TickReport(state="off")
        report = TickReport(outcomes=evaluate(business, rules, now, 0, with_time=True))
        live, failed = set(), set()
        for outcome in report.outcomes:
            live.add(outcome.step.key)
            if outcome.step.after in failed:
                outcome.state = "skipped"
                continue
            _apply(business, rules[outcome.step.kind], outcome, now)
            if outcome.state not in ("done", "waiting"):
                failed.add(outcome.step.key)
        released = release_waiting(business, now)
        report.released = released.count
        _lapse_holds(live | released.held)  # held at release: shown until a tick retries it
    tray_generate(business)  # the held-back items appear (and resolved ones close) at once
    _summary(business)
    return report


def _apply(business: Any, rule: Rule, outcome: Outcome, now: datetime) -> None:
    step = outcome.step
    if step.kind == Rule.Kind.REMIND and outcome.state != "held":
        # Sent before our row is written: a worker killed in between sends again on redelivery
        # and the collections tick's own keys keep every email to one.
        _remind(business, step)
    with transaction.atomic():
        business_lock(business)  # one tick at a time acts for a business
        row = RuleAction.objects.select_for_update().filter(key=step.key).first()
        if row is not None and row.state != RuleAction.State.HELD:
            outcome.state = "skipped"  # another tick got here first
            return
        fields = {"kind": step.kind, "target_type": step.target_type,
                  "target_id": step.target_id, "amount": step.amount, "summary": step.summary[:300],
                  "detail": {k: str(v) for k, v in step.params.items()}}
        if outcome.state == "held":
            hold = outcome.hold
            RuleAction.objects.update_or_create(key=step.key, defaults={
                **fields, "state": RuleAction.State.HELD, "reason": hold.code,
                "reason_text": hold.text[:300]})
            return
        actor = rule_actor(rule)
        try:
            with transaction.atomic():
                state, extra = _act(business, rule, step, actor, now)
        except ApplicationError as exc:
            outcome.state = "failed"
            RuleAction.objects.update_or_create(key=step.key, defaults={
                **fields, "state": RuleAction.State.FAILED, "reason": "failed",
                "reason_text": str(exc.message)[:300]})
            return
        outcome.state = state
        RuleAction.objects.update_or_create(key=step.key, defaults={
            **fields, "state": state, "reason": "", "reason_text": "", **extra})


def _undo_until(now: datetime, kind: str) -> datetime | None:
    if kind == Rule.Kind.RECORD:
        return now + timedelta(minutes=settings.AUTOMATION_PAYMENT_UNDO_MINUTES)
    if kind == Rule.Kind.REMIND:
        return None  # an email sent cannot be unsent
    return now + timedelta(hours=settings.AUTOMATION_UNDO_HOURS)


def _act(business: Any, rule: Rule, step: Step, actor: RuleActor, now: datetime):
    """Do one step through the domain's own service. Returns (state, extra row fields)."""
    extra = {"undo_until": _undo_until(now, step.kind)}
    if step.kind in (Rule.Kind.APPROVE, Rule.Kind.SCHEDULE):
        bill = Bill.objects.get(pk=int(step.target_id))
        limit = Decimal(str(params_of(rule).get("limit", "0")))
        if step.kind == Rule.Kind.APPROVE:
            bill_approve(actor=actor, bill=bill, approval_limit=limit)
        else:
            bill_schedule(actor=actor, bill=bill, pay_on=step.decision.pay_on,
                          approval_limit=Decimal(0))
        return RuleAction.State.DONE, extra
    if step.kind == Rule.Kind.RESERVE:
        reserve = Reserve.objects.get(pk=step.params["reserve_id"])
        reserve_fund(actor, reserve, step.amount, note=step.summary[:300])
        return RuleAction.State.DONE, extra
    if step.kind == Rule.Kind.RECORD:
        # Into the undo window first; `release_waiting` hands it to the outbox after it.
        audit_record(actor=actor, action="automation.payment_queued", business=business,
                     object_type="ap.Bill", object_id=step.target_id,
                     after={"amount": step.amount, "on": step.on,
                            "undo_until": extra["undo_until"], "key": step.key})
        return RuleAction.State.WAITING, extra
    return RuleAction.State.DONE, extra  # REMIND: sent after the commit (`_remind`)


def _remind(business: Any, step: Step) -> None:
    """The day's reminders through the collections tick (its own keys make each email once)."""
    from apps.collections.services import reminders_run

    report = reminders_run(business, step.on)
    step.params.update({"sent": report.sent, "tick": report.state})


def _lapse_holds(live: set[str]) -> None:
    """A held action whose object no longer needs it (paid by hand, rule off) stops showing."""
    RuleAction.objects.filter(state=RuleAction.State.HELD).exclude(key__in=live).delete()


def _summary(business: Any) -> None:
    from apps.tenancy.summary import summary_refresh_quietly

    summary_refresh_quietly(business, only=("apps.automation.summary.automation_summary",))
