"""Guardrails every rule passes before each action (docs/automation.md):

- stale data: the last QuickBooks sync is older than the rule's `stale_hours` (or never ran);
- runway floor: runway in days after the action (and every payment already committed, and
  every action taken before it in this tick) would fall below `floor_days`;
- low point floor: the 13-week forecast low point after it would fall below `floor_amount`.

The tick checks them before it acts, and again when a payment leaves its undo window
(`apps/automation/release.py`).

The runway after an action is the engine's what-if (`runway_compute(decisions=...)`): nothing
stored changes. It starts from the payments already committed but not yet in the books
(`committed_payments`): the engine reads the books, which show neither a payment waiting out
its undo window nor one in the outbox, so a new payment is judged against the runway as it will
be. A held action names its reason; the tick records it and the tray shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from apps.ap.models import Bill
from apps.automation.models import Rule, RuleAction
from apps.automation.plan import outbox_payments
from apps.core.money import format_money
from apps.runway.engine import DecisionError, PayBillNow, RunwayResult
from apps.runway.services import runway_compute

REASONS = {
    "stale": "the books are stale",
    "runway_floor": "runway floor",
    "low_point": "forecast low point floor",
    "no_owner": "no owner behind the rule",
    "failed": "refused",
}


@dataclass(frozen=True)
class Hold:
    code: str
    text: str


def committed_payments(business: Any, *, leave_out: str = "") -> list[PayBillNow]:
    """Every payment committed but not yet in the books, as runway decisions (one per bill, in
    home money): each `waiting` record action but `leave_out` (the one being released) — the
    whole balance, as its release pays — and each outbox payment a sync has not reflected yet.
    Run in the business's schema."""
    home = business.currency or "USD"
    bills = {b.pk: b for b in Bill.objects.open().only("pk", "balance", "currency", "synced_at")}
    whole = {int(i) for i in RuleAction.objects.filter(
        state=RuleAction.State.WAITING, target_type="bill").exclude(key=leave_out)
        .values_list("target_id", flat=True)} & set(bills)  # a closed bill is paid no more
    own: dict[int, Decimal] = {}
    in_home: dict[int, Decimal | None] = {}
    for action in outbox_payments(business, bills):
        pk, payload = int(action.target_id), action.payload
        own[pk] = own.get(pk, Decimal(0)) + Decimal(str(payload["amount"]))
        # A foreign bill's payment records its home amount; without one, count the whole bill.
        amount = (Decimal(str(payload["amount"])) if bills[pk].currency in ("", home)
                  else Decimal(str(payload["home_amount"])) if payload.get("home_amount")
                  else None)
        before = in_home.get(pk, Decimal(0))
        in_home[pk] = None if amount is None or before is None else before + amount
    out = []
    for pk in sorted(whole | set(own)):
        partial = pk not in whole and own[pk] < bills[pk].balance and in_home[pk] is not None
        out.append(PayBillNow(str(pk), in_home[pk]) if partial else PayBillNow(str(pk)))
    return out


class Scenario:
    """The decisions accepted so far in one tick (or dry run, or release), on top of the
    payments already committed (`committed_payments`), and the runway after them."""

    def __init__(self, business: Any, as_of, committed: Sequence[PayBillNow] = ()) -> None:
        self.business = business
        self.as_of = as_of
        self.decisions: list = list(committed)
        self._results: dict[int, RunwayResult] = {}
        if any(d.amount is not None for d in self.decisions):
            try:
                self.result()
            except DecisionError:
                # A partial amount the engine cannot take as is (a foreign bill converted at a
                # newer rate than its payment's): count those bills whole — never less.
                self.decisions = [PayBillNow(d.bill_id) for d in self.decisions]

    def result(self, extra: Any = None) -> RunwayResult:
        decisions = self.decisions + ([extra] if extra is not None else [])
        if extra is None and len(decisions) in self._results:
            return self._results[len(decisions)]
        result = runway_compute(self.business, as_of=self.as_of, decisions=decisions)
        if extra is None:
            self._results[len(decisions)] = result
        return result

    def accept(self, decision: Any) -> None:
        if decision is not None:
            self.decisions.append(decision)


def stale_hold(business: Any, rule: Rule, now: datetime) -> Hold | None:
    last = business.last_sync_at
    if last is None or now - last > timedelta(hours=rule.stale_hours):
        when = "never" if last is None else f"{(now - last).total_seconds() / 3600:.0f} h ago"
        return Hold("stale", f"Held back: the books are stale (last QuickBooks sync {when}; "
                             f"the rule acts on data at most {rule.stale_hours} h old).")
    return None


def runway_hold(rule: Rule, scenario: Scenario, decision: Any) -> Hold | None:
    """The floors, on the runway after `decision` on top of the committed payments and the
    tick's earlier actions."""
    if rule.floor_days is None and rule.floor_amount is None:
        return None
    try:
        after = scenario.result(decision)
    except DecisionError as exc:  # the object changed under us: leave it to the owner
        return Hold("failed", f"Held back: {exc}")
    cur = after.currency
    if rule.floor_days is not None and after.runway_days is not None \
            and after.runway_days < rule.floor_days:
        return Hold("runway_floor", f"Held back: runway would be {after.runway_days} days, "
                                    f"below the floor of {rule.floor_days} days.")
    if rule.floor_amount is not None and after.low_point.amount < rule.floor_amount:
        return Hold("low_point",
                    f"Held back: the forecast low point would be "
                    f"{format_money(after.low_point.amount, cur)} (week of "
                    f"{after.low_point.week_start.isoformat()}), below the floor of "
                    f"{format_money(Decimal(rule.floor_amount), cur)}.")
    return None
