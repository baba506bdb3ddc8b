"""What the rules that are on would do on a day: one `Step` per object, with its idempotency key
and its runway decision. The real tick and the dry run share this planner, so a preview says
exactly what the tick then does. Reads only; runs in the business's schema.

Order (each step sees the ones before it): fund reserves from inflows, record payments due,
approve, schedule — an approval planned today is scheduled today, and a schedule that falls due
within the window is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from apps.ap.models import Bill
from apps.ap.services import bill_payment_actions
from apps.ar.models import Payment
from apps.automation.models import Rule, RuleAction
from apps.core.money import format_money
from apps.integrations.sync.models import IN_FLIGHT, Action
from apps.ledger.models import Account
from apps.reserves.models import Reserve
from apps.runway.engine import FundReserve, PayBillNow, ScheduleBill

CENT = Decimal("0.01")
INFLOW_LOOKBACK_DAYS = 7  # a reserve rule funds from customer payments of the last week
DEFAULTS: dict[str, dict[str, Any]] = {
    Rule.Kind.APPROVE: {"limit": "1000.00", "known_paid": 1},
    Rule.Kind.SCHEDULE: {"days_before": 3},
    Rule.Kind.RECORD: {"account_id": None},
    Rule.Kind.REMIND: {},
    Rule.Kind.RESERVE: {"percent": "20", "reserve_id": None},
}
FINAL = (RuleAction.State.DONE, RuleAction.State.WAITING, RuleAction.State.UNDONE,
         RuleAction.State.FAILED)


@dataclass
class Step:
    kind: str
    key: str
    summary: str
    on: date
    target_type: str = ""
    target_id: str = ""
    amount: Decimal | None = None
    decision: Any = None  # the runway engine decision (None: no cash effect)
    params: dict[str, Any] = field(default_factory=dict)
    after: str = ""  # the key of a step planned before it that it needs (approve → schedule)


def params_of(rule: Rule) -> dict[str, Any]:
    return {**DEFAULTS[rule.kind], **(rule.params or {})}


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _done_keys(bill_ids, payment_ids, days) -> set[str]:
    """Keys already acted on (or undone, or failed) among this plan's objects only — bounded by
    the open bills, the week's payments and the days, however long the history grows."""
    mine = (Q(target_type="bill", target_id__in=[str(i) for i in bill_ids])
            | Q(target_type="payment", target_id__in=[str(i) for i in payment_ids])
            | Q(key__in=[f"remind:{d.isoformat()}" for d in days]))
    return set(RuleAction.objects.filter(mine, state__in=FINAL).values_list("key", flat=True))


def _inflows(today: date, until: date):
    since = today - timedelta(days=INFLOW_LOOKBACK_DAYS)
    return list(Payment.objects.filter(is_deleted=False, txn_date__gte=since,
                                       txn_date__lte=until, home_total__gt=0)
                .order_by("txn_date", "pk"))


def _vendor_paid_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for vendor in Bill.objects.live().filter(balance=0, total__gt=0).values_list(
            "vendor_qbo_id", flat=True):
        counts[vendor] = counts.get(vendor, 0) + 1
    return counts


def outbox_payments(business: Any, bills: dict[int, Bill]) -> list[Action]:
    """The payments of `bills` (pk → open bill) handed to the outbox that the books do not show
    yet: on their way (or sent with no answer), or succeeded after the bill's last sync — as
    `bill_pay_now` counts them before it takes another."""
    return [a for a in bill_payment_actions(business, list(bills))
            .exclude(state=Action.State.FAILED).order_by("pk")
            if a.state in IN_FLIGHT or a.updated_at >= bills[int(a.target_id)].synced_at]


def pay_account(params: dict[str, Any]) -> Account | None:
    cash = Account.objects.in_runway().exclude(qbo_id="")
    if params.get("account_id"):
        return cash.filter(pk=params["account_id"]).first()
    return cash.order_by("-current_balance", "pk").first()


def target_reserve(params: dict[str, Any]) -> Reserve | None:
    live = Reserve.objects.filter(active=True)
    if params.get("reserve_id"):
        return live.filter(pk=params["reserve_id"]).first()
    return live.filter(kind=Reserve.Kind.TAXES).order_by("pk").first()


def plan(business: Any, rules: dict[str, Rule], today: date, until: date,
         *, remind_days: list[date] | None = None) -> list[Step]:
    """The steps of the rules in `rules` (kind → rule) from `today` to `until` (inclusive)."""
    cur = business.currency or "USD"
    steps: list[Step] = []
    bills = {b.pk: b for b in Bill.objects.open().filter(
        status__in=[Bill.Status.NEW, Bill.Status.APPROVED, Bill.Status.SCHEDULED])
        .select_related("vendor").order_by("due_date", "pk")}
    inflows = _inflows(today, until) if Rule.Kind.RESERVE in rules else []
    done = _done_keys(list(bills), [p.pk for p in inflows],
                      remind_days if Rule.Kind.REMIND in rules else [])
    if Rule.Kind.RESERVE in rules:
        steps += _reserve_steps(params_of(rules[Rule.Kind.RESERVE]), inflows, today, done, cur)
    busy = {a.target_id for a in outbox_payments(business, bills)}  # bill_pay_now refuses them
    bills = {pk: b for pk, b in bills.items() if str(pk) not in busy}
    record = rules.get(Rule.Kind.RECORD)
    if record is not None:  # bills already scheduled on or before `until`
        steps += _record_steps(bills.values(), until, done, cur)
    approved: list[Bill] = []
    if Rule.Kind.APPROVE in rules:
        more = _approve_steps(params_of(rules[Rule.Kind.APPROVE]), bills.values(), today,
                              done, cur)
        steps += more
        approved = [bills[int(s.target_id)] for s in more]
    needs = {s.target_id: s.key for s in steps if s.kind == Rule.Kind.APPROVE}
    if Rule.Kind.SCHEDULE in rules:
        ready = [b for b in bills.values() if b.status == Bill.Status.APPROVED
                 and b.approval_holds() and b.scheduled_date is None] + approved
        sched = _schedule_steps(params_of(rules[Rule.Kind.SCHEDULE]), ready, today, done, cur)
        for s in sched:
            s.after = needs.get(s.target_id, "")
        steps += sched
        if record is not None:  # planned schedules that fall due in the window are recorded
            later = []
            for s in sched:
                bill = bills[int(s.target_id)]
                if s.params["pay_on"] <= until:
                    later.append((bill, s.params["pay_on"]))
            chained = _record_steps([b for b, _ in later], until, done, cur,
                                    dates={b.pk: d for b, d in later})
            keys = {s.target_id: s.key for s in sched}
            for s in chained:
                s.after = keys[s.target_id]
            steps += chained
    if Rule.Kind.REMIND in rules:
        steps += _remind_steps(business, remind_days or [], done, cur)
    return steps


def _reserve_steps(params, inflows, today, done, cur) -> list[Step]:
    reserve = target_reserve(params)
    if reserve is None:
        return []
    percent = Decimal(str(params["percent"]))
    room = max(reserve.target - reserve.held, Decimal(0))
    out = []
    for p in inflows:
        key = f"reserve:payment:{p.pk}"
        if key in done:
            continue
        amount = min((p.home_total * percent / 100).quantize(CENT, ROUND_HALF_UP), room)
        if amount <= 0:
            break  # the reserve is at its target
        room -= amount
        out.append(Step(Rule.Kind.RESERVE, key,
                        f"Set aside {format_money(amount, cur)} in {reserve.name} "
                        f"({percent}% of a {format_money(p.home_total, cur)} payment)",
                        max(p.txn_date, today), "payment", str(p.pk), amount,
                        FundReserve(str(reserve.pk), amount),
                        {"reserve_id": reserve.pk}))
    return out


def _bill_step(kind: str, key: str, bill: Bill, cur: str, on: date, decision: Any,
               params: dict[str, Any] | None = None, *, verb: str, tail: str = "") -> Step:
    """A step on one bill, summed up as "<verb> Acme's bill 42 ($1,200.00)<tail>"."""
    name = bill.vendor.display_name if bill.vendor else bill.vendor_qbo_id
    summary = (f"{verb} {name}'s bill {bill.doc_number or bill.qbo_id} "
               f"({format_money(bill.home_balance, cur)}){tail}")
    return Step(kind, key, summary, on, "bill", str(bill.pk), bill.home_balance, decision,
                params or {})


def _record_steps(bills, until, done, cur, *, dates: dict[int, date] | None = None
                  ) -> list[Step]:
    out = []
    for bill in bills:
        on = (dates or {}).get(bill.pk) or bill.scheduled_date
        if on is None or on > until:
            continue
        if dates is None and not (bill.status == Bill.Status.SCHEDULED and bill.approval_holds()):
            continue  # a lapsed approval goes back to the owner, never paid by a rule
        key = f"record:bill:{bill.pk}:{on.isoformat()}"
        if key not in done:
            out.append(_bill_step(Rule.Kind.RECORD, key, bill, cur, on, PayBillNow(str(bill.pk)),
                                  verb="Record the payment of", tail=f" on {on.isoformat()}"))
    return out


def _approve_steps(params, bills, today, done, cur) -> list[Step]:
    limit, known = _money(params["limit"]), int(params["known_paid"])
    paid = _vendor_paid_counts()
    out = []
    for bill in bills:
        if bill.status != Bill.Status.NEW or bill.home_balance > limit:
            continue
        if paid.get(bill.vendor_qbo_id, 0) < known:
            continue  # not a known vendor: the owner decides
        key = f"approve:bill:{bill.pk}:{bill.balance}"
        if key not in done:
            out.append(_bill_step(Rule.Kind.APPROVE, key, bill, cur, today, None,
                                  {"limit": str(limit)}, verb="Approve"))
    return out


def _schedule_steps(params, bills, today, done, cur) -> list[Step]:
    before = timedelta(days=int(params["days_before"]))
    out = []
    for bill in bills:
        if bill.due_date is None:
            continue
        pay_on = max(today, bill.due_date - before)
        key = f"schedule:bill:{bill.pk}:{bill.balance}"
        if key not in done:
            out.append(_bill_step(Rule.Kind.SCHEDULE, key, bill, cur, today,
                                  ScheduleBill(str(bill.pk), pay_on), {"pay_on": pay_on},
                                  verb="Schedule", tail=f" for {pay_on.isoformat()}"))
    return out


def _remind_steps(business, days, done, cur) -> list[Step]:
    from apps.collections.services import reminders_plan_for

    out = []
    for day in days:
        key = f"remind:{day.isoformat()}"
        if key in done:
            continue
        emails = reminders_plan_for(business, day, preview=True).sendable
        if not emails:
            continue
        total = sum((e.total for e in emails if e.currency == cur), Decimal(0))
        out.append(Step(Rule.Kind.REMIND, key,
                        f"Send {len(emails)} reminder email(s) for {format_money(total, cur)} "
                        f"on {day.isoformat()}", day, "", "", total, None,
                        {"emails": len(emails)}))
    return out
