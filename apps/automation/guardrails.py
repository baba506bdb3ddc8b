"""Guardrails every rule passes before each action (docs/automation.md):

- stale data: the last QuickBooks sync is older than the rule's `stale_hours` (or never ran);
- runway floor: runway in days after the action (and every action taken before it in this
  tick) would fall below `floor_days`;
- low point floor: the 13-week forecast low point after it would fall below `floor_amount`.

The runway after an action is the engine's what-if (`runway_compute(decisions=...)`): nothing
stored changes. A held action names its reason; the tick records it and the tray shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from apps.automation.models import Rule
from apps.core.money import format_money
from apps.runway.engine import DecisionError, RunwayResult
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


class Scenario:
    """The decisions accepted so far in one tick (or dry run), and the runway after them."""

    def __init__(self, business: Any, as_of) -> None:
        self.business = business
        self.as_of = as_of
        self.decisions: list = []
        self._results: dict[int, RunwayResult] = {}

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
    """The floors, on the runway after `decision` on top of the tick's earlier actions."""
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
