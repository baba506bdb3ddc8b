"""Automation coverage: the share of routine decisions the default rules take on the demo
agency's last 13 weeks replayed, without breaking a guardrail (issue #21; goal ≥ 70 %).

What is replayed: the demo agency's books (`build_ledger`, seed 1; quick: scale 1, 2 years;
full: scale 10, 5 years), day by day over the 91 days to its as-of date. Routine decisions, as
the issue lists them:

- approvals under the limit from known vendors — each bill dated in the window with a total up
  to the default limit (apps/automation/plan.py `DEFAULTS`, 1,000.00) from a vendor with at
  least one bill fully paid before it;
- scheduling — every bill dated in the window (over-limit ones once the owner approved them);
- recording on date — every bill whose pay date (due − the default 3 days, never before the bill)
  falls in the window;
- reminder steps — each invoice × default step (−3, 1, 7, 14, 30 days from due) falling in the
  window while the invoice is still open.

The default rules take a decision unless a default guardrail holds it (the rules' own `Rule`
defaults: runway floor 30 days, low point floor 0; stale data never holds here — the replay
syncs daily). The guardrails are evaluated on the replayed books of that day, the same
quantities the tick reads from the runway engine, computed from the ledger directly (the engine
reads synced rows this replay does not have): cash = bank (depository) balances on that day;
daily burn = money out of them over the 90 days before, internal transfers excluded; runway =
cash ÷ burn; low point = cash less the bills open that day due in the next 13 weeks plus the
invoices open that day due in them (the receipts the forecast counts). Recording a payment
checks runway after paying it. Reminder steps move no cash: only stale data could hold them.
Approximation, documented: no habit shift of receipts, no recurring series.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from tests.bench.harness import Result

AS_OF = date(2026, 11, 27)
WINDOW = 91
STEPS = (-3, 1, 7, 14, 30)
LIMIT = Decimal("1000.00")
DAYS_BEFORE = 3
FLOOR_DAYS = Decimal("30")
FLOOR_AMOUNT = Decimal("0")
GOAL = 70.0


class Books:
    """The ledger's balances and open documents at any day (precomputed series)."""

    def __init__(self, led) -> None:
        self.led = led
        banks = {k for k, a in led.accounts.items() if a.feed == "depository"}
        self.opening = sum((led.accounts[k].opening for k in banks), Decimal(0))
        self.moves = sorted((m for m in led.movements if m.account in banks),
                            key=lambda m: m.date)

    def cash(self, day: date) -> Decimal:
        return self.opening - sum((m.amount for m in self.moves if m.date <= day), Decimal(0))

    def burn(self, day: date) -> Decimal:
        since = day - timedelta(days=90)
        out = sum((m.amount for m in self.moves if since < m.date <= day and m.amount > 0
                   and "transfer" not in m.kind), Decimal(0))
        return out / 90

    @staticmethod
    def bill_open(bill, day: date) -> Decimal:
        paid = sum((amt for bp in bill.payments if bp.date <= day
                    for b, amt in bp.applied if b is bill), Decimal(0))
        return bill.total - paid if bill.date <= day else Decimal(0)

    @staticmethod
    def invoice_open(inv, day: date) -> Decimal:
        paid = sum((amt for p in inv.payments if p.date <= day
                    for i, amt, _ in p.applied if i is inv), Decimal(0))
        return inv.total - paid if inv.date <= day else Decimal(0)

    def low_point(self, day: date, cash: Decimal) -> Decimal:
        horizon = day + timedelta(weeks=13)
        ap = sum((self.bill_open(b, day) for b in self.led.bills
                  if b.due and b.due <= horizon), Decimal(0))
        ar = sum((self.invoice_open(i, day) for i in self.led.invoices
                  if i.due and day <= i.due <= horizon), Decimal(0))
        return cash - ap + ar


def _guard(books: Books, day: date, cache: dict, out: Decimal = Decimal(0),
           floor_days: Decimal = FLOOR_DAYS) -> str:
    if day not in cache:
        cash = books.cash(day)
        cache[day] = (cash, books.burn(day), books.low_point(day, cash))
    cash, burn, low = cache[day]
    if burn > 0 and (cash - out) / burn < floor_days:
        return "runway_floor"
    if low - out < FLOOR_AMOUNT:
        return "low_point"
    return ""


def replay(led, as_of: date, floor_days: Decimal = FLOOR_DAYS) -> tuple[Counter, Counter]:
    """(decisions by kind, holds by kind:reason) over the window."""
    start = as_of - timedelta(days=WINDOW - 1)
    books, cache = Books(led), {}
    routine, held = Counter(), Counter()
    paid_before: dict[str, list[date]] = {}
    for b in led.bills:
        if b.payments and sum(amt for bp in b.payments for x, amt in bp.applied if x is b) \
                >= b.total:
            paid_before.setdefault(b.vendor.name, []).append(max(bp.date for bp in b.payments))

    def decide(kind: str, day: date, out: Decimal = Decimal(0)) -> None:
        routine[kind] += 1
        reason = _guard(books, day, cache, out, floor_days) if kind != "remind" else ""
        if reason:
            held[f"{kind}:{reason}"] += 1

    for b in led.bills:
        if start <= b.date <= as_of:
            known = any(d < b.date for d in paid_before.get(b.vendor.name, []))
            if b.total <= LIMIT and known:
                decide("approve", b.date)
            decide("schedule", b.date)
        if b.due:
            pay_on = max(b.date, b.due - timedelta(days=DAYS_BEFORE))
            if start <= pay_on <= as_of and books.bill_open(b, pay_on - timedelta(days=1)) > 0:
                decide("record", pay_on, books.bill_open(b, pay_on - timedelta(days=1)))
    for inv in led.invoices:
        if not inv.due:
            continue
        for offset in STEPS:
            day = inv.due + timedelta(days=offset)
            if start <= day <= as_of and day >= inv.date and books.invoice_open(inv, day) > 0:
                decide("remind", day)
    return routine, held


def run(quick: bool) -> list[Result]:
    from apps.demo.generator import build_ledger

    scale, years = (1, 2) if quick else (10, 5)
    led, _ = build_ledger(seed=1, years=years, scale=scale, as_of=AS_OF)
    # The default floor (30 days), and a strict one (60 days) that shows the holds at work.
    return [_row(led, scale, FLOOR_DAYS, GOAL), _row(led, scale, Decimal("60"), None)]


def _row(led, scale: float, floor_days: Decimal, goal: float | None) -> Result:
    routine, held = replay(led, AS_OF, floor_days)
    total = sum(routine.values())
    holds = sum(held.values())
    share = round(100 * (total - holds) / total, 1) if total else 0.0
    by_kind = ", ".join(f"{k} {routine[k]}" for k in ("approve", "schedule", "record", "remind"))
    reasons = Counter()
    for key, n in held.items():
        reasons[key.split(":")[1]] += n
    return Result(
        name=f"Routine decisions taken by the default rules (demo agency, last 13 weeks, "
             f"scale {scale}, runway floor {floor_days} days"
             + (")" if goal is not None else ", a stricter floor than the default)"),
        figure=share, unit="%", target=f"≥ {goal:g} %" if goal is not None else "— (informs)",
        passed=share >= goal if goal is not None else None,
        reference="every routine decision a click (before automation)", reference_figure=0.0,
        notes=(f"{total - holds}/{total} taken ({by_kind}); guardrail holds {holds}"
               + (f" ({', '.join(f'{r} {n}' for r, n in sorted(reasons.items()))})"
                  if holds else "")),
        extra={"routine": dict(routine), "held": dict(held), "floor_days": str(floor_days)},
    )
