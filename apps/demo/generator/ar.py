"""Receivables: clients with distinct payment habits, retainer and project invoices, payments
(ACH straight to checking, checks through Undeposited Funds and a Deposit), credit memos and
an overpayment left unapplied."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from .calendar import month_starts, next_bday, prev_bday
from .chart import TERM_DAYS
from .ledger import BankText, CreditMemo, Deposit, Invoice, Ledger, Party, Payment, SaleLine
from .money import ZERO, cents, q, scaled
from .names import client_names

REVENUE_PER_YEAR = 2_500_000  # at scale 1
HOURLY_RATE = Decimal("175.00")


def _habit_roster(n: int, scale: float) -> list[str]:
    """Guaranteed special habits first, the rest split between on time and a bit slow."""
    early = max(2, round(0.15 * n))
    late = max(2, round(0.12 * n))
    partial = max(2, round(0.08 * n))
    stopped = max(1, round(0.025 * n))
    slow = round(0.22 * n)
    roster = ["early"] * early + ["late"] * late + ["partial"] * partial + ["stopped"] * stopped
    roster += ["slow"] * slow
    roster += ["on_time"] * max(2, n - len(roster))
    return roster


def build_customers(led: Ledger, rng: random.Random, start: date, as_of: date,
                    scale: float) -> list[Party]:
    n = max(6, round(rng.randint(38, 52) * scale))
    roster = _habit_roster(n, scale)
    names = client_names(rng, len(roster))
    span = (as_of - start).days
    customers = []
    for name, habit in zip(names, roster, strict=True):
        c = Party("Customer", name, start, habit=habit)
        c.street = f"{rng.randint(100, 9900)} {rng.choice(('NW', 'SE', 'NE', 'SW'))} " \
                   f"{rng.choice(('Alder', 'Burnside', 'Division', 'Hawthorne', 'Glisan'))} St"
        c.phone = f"(503) 555-{rng.randint(1000, 9999)}"
        retainer = habit == "stopped" or rng.random() < 0.55
        c.extra["model"] = "retainer" if retainer else "project"
        c.term = rng.choice(("net15", "net30")) if retainer else rng.choice(("net30", "net45"))
        c.deposit_method = "check" if rng.random() < 0.25 else "ach"
        # Tenure: most clients span the whole history; some join later, a few leave.
        joined = start
        if habit in ("on_time", "slow") and rng.random() < 0.35:
            joined = start + timedelta(days=rng.randint(0, int(span * 0.8)))
        left = as_of
        if habit in ("on_time", "slow") and rng.random() < 0.15:
            left = joined + timedelta(days=rng.randint(90, max(91, (as_of - joined).days)))
        if habit == "stopped":
            left = as_of - timedelta(days=rng.randint(40, 70))
            c.extra["stop_paying"] = as_of - timedelta(days=rng.randint(150, 190))
        c.created = joined
        c.extra["joined"], c.extra["left"] = joined, min(left, as_of)
        c.extra["size"] = rng.uniform(3000, 12000) if retainer else rng.uniform(15000, 90000)
        customers.append(c)
    led.customers.extend(customers)
    return customers


def _plan_invoices(c: Party, rng: random.Random) -> list[tuple[date, float, str, str]]:
    """(date, nominal amount, kind, description) for each invoice of a client."""
    joined, left = c.extra["joined"], c.extra["left"]
    plan = []
    if c.extra["model"] == "retainer":
        size = c.extra["size"]
        for m in month_starts(joined, left):
            if (m - joined).days and (m - joined).days % 365 < 31:
                size *= 1.05  # yearly retainer increase
            plan.append((m, size, "retainer", f"Monthly retainer: {m:%B %Y}"))
        return plan
    t = joined + timedelta(days=rng.randint(0, 30))
    project_no = 0
    while t <= left:
        project_no += 1
        milestones = rng.randint(2, 4)
        size = c.extra["size"] * rng.uniform(0.6, 1.4)
        for k in range(milestones):
            d = next_bday(t)
            if d > left:
                break
            plan.append((d, size / milestones, "project",
                         f"Project {project_no}, phase {k + 1} of {milestones}"))
            t = d + timedelta(days=rng.randint(21, 45))
        t += timedelta(days=rng.randint(15, 120))
    return plan


def _invoice_lines(kind: str, amount: Decimal, desc: str, rng: random.Random) -> list[SaleLine]:
    if kind == "project":
        return [SaleLine("project", desc, amount, Decimal(1), amount)]
    lines = [SaleLine("retainer", desc, amount, Decimal(1), amount)]
    if rng.random() < 0.2:
        hours = Decimal(rng.randint(4, 30))
        lines.append(SaleLine("hours", "Additional hours", q(hours * HOURLY_RATE), hours,
                              HOURLY_RATE))
    return lines


def build_invoices(led: Ledger, rng: random.Random, customers: list[Party], start: date,
                   as_of: date, scale: float) -> None:
    plans = [(c, p) for c in customers for p in _plan_invoices(c, rng)]
    target = REVENUE_PER_YEAR * scale * (as_of - start).days / 365.25 * rng.uniform(0.96, 1.04)
    factor = target / sum(p[1] for _, p in plans)
    for c, (d, nominal, kind, desc) in plans:
        amount = scaled(Decimal(repr(round(nominal, 2))), factor, 250 if kind == "retainer" else 50)
        lines = _invoice_lines(kind, amount, desc, rng)
        total = sum((ln.amount for ln in lines), ZERO)
        inv = Invoice(date=d, customer=c, due=d + timedelta(days=TERM_DAYS[c.term]), term=c.term,
                      lines=lines, total=total, balance=total, kind=kind)
        led.add(led.invoices, inv)


def _payment_plan(inv: Invoice, rng: random.Random) -> list[tuple[date, Decimal]]:
    c, due, total = inv.customer, inv.due, inv.total
    habit = c.habit
    if habit == "stopped" and inv.date >= c.extra["stop_paying"]:
        return []
    if habit == "early":
        window = max(3, (due - inv.date).days - 4)
        p = next_bday(inv.date + timedelta(days=rng.randint(2, window)))
        if p >= due:
            p = prev_bday(due - timedelta(days=1))
        return [(p, total)]
    if habit in ("on_time", "stopped"):
        return [(next_bday(due + timedelta(days=rng.randint(-5, 2))), total)]
    if habit == "slow":
        return [(next_bday(due + timedelta(days=rng.randint(5, 25))), total)]
    if habit == "late":
        return [(next_bday(due + timedelta(days=rng.randint(46, 85))), total)]
    # partial payers: most invoices in two or three instalments
    if rng.random() < 0.3:
        return [(next_bday(due + timedelta(days=rng.randint(3, 15))), total)]
    first = min(total - 1, q(total * Decimal(repr(round(rng.uniform(0.4, 0.6), 2)))))
    p1 = next_bday(due + timedelta(days=rng.randint(0, 10)))
    p2 = next_bday(p1 + timedelta(days=rng.randint(25, 50)))
    if rng.random() < 0.3:
        second = q((total - first) / 2)
        p3 = next_bday(p2 + timedelta(days=rng.randint(20, 40)))
        return [(p1, first), (p2, second), (p3, total - first - second)]
    return [(p1, first), (p2, total - first)]


def _credit_memos(led: Ledger, rng: random.Random, c: Party, start: date, as_of: date,
                  typical: Decimal) -> list[CreditMemo]:
    years = (as_of - start).days / 365.25
    count = sum(1 for _ in range(max(1, round(years * 2))) if rng.random() < 0.15)
    memos = []
    for _ in range(count):
        tenure = max(1, (as_of - c.extra["joined"]).days)
        d = c.extra["joined"] + timedelta(days=rng.randint(0, tenure))
        if d > as_of:
            continue
        amount = max(Decimal(100), scaled(typical, rng.uniform(0.05, 0.15), 25))
        memos.append(_memo(led, c, next_bday(d) if next_bday(d) <= as_of else d, amount,
                           "Credit for a missed delivery date"))
    return memos


def _memo(led: Ledger, c: Party, d: date, amount: Decimal, why: str) -> CreditMemo:
    memo = CreditMemo(date=d, customer=c, total=amount, remaining=amount,
                      lines=[SaleLine("credit", why, amount, Decimal(1), amount)])
    led.add(led.credit_memos, memo)
    return memo


def _receipt_text(c: Party) -> BankText:
    return BankText(f"ACH CREDIT {c.name.upper()[:28]} PAYMENT", None, "INCOME_OTHER_INCOME",
                    "other", None)


def build_payments(led: Ledger, rng: random.Random, customers: list[Party], as_of: date,
                   start: date) -> None:
    by_customer: dict[int, list[Invoice]] = {}
    for inv in led.invoices:
        by_customer.setdefault(id(inv.customer), []).append(inv)
    for c in customers:
        invoices = by_customer.get(id(c), [])
        if not invoices:
            continue
        typical = invoices[len(invoices) // 2].total
        memos = [] if c.habit in ("stopped", "partial") else _credit_memos(
            led, rng, c, start, as_of, typical)
        for inv in invoices:
            for when, amount in _payment_plan(inv, rng):
                if when > as_of:
                    break
                credit_pairs = []
                if amount == inv.balance == inv.total:
                    for memo in memos:
                        if memo.remaining > 0 and memo.date <= when and memo.remaining < amount:
                            credit_pairs.append((memo, memo.remaining))
                            amount -= memo.remaining
                            break
                _pay(led, c, inv, when, amount, credit_pairs, rng)


def _pay(led: Ledger, c: Party, inv: Invoice, when: date, cash: Decimal,
         credits: list[tuple[CreditMemo, Decimal]], rng: random.Random) -> Payment:
    applied = cash + sum((a for _, a in credits), ZERO)
    to = "undeposited" if c.deposit_method == "check" else "operating"
    pay = Payment(date=when, customer=c, total=cash, deposit_to=to,
                  applied=[(inv, applied, inv.balance)], credits=credits)
    if to == "undeposited":
        pay.ref_num = str(rng.randint(1000, 9999))
    led.add(led.payments, pay)
    inv.balance -= applied
    inv.payments.append(pay)
    inv.touch(when)
    for memo, amount in credits:
        memo.remaining -= amount
        memo.payments.append(pay)
        memo.touch(when)
    if to == "operating" and cash > 0:
        led.move(when, "operating", -cash, pay, _receipt_text(c), kind="receipt")
    return pay


def add_open_credit_and_overpayment(led: Ledger, rng: random.Random, customers: list[Party],
                                    as_of: date, scale: float) -> None:
    """Guarantee the decisions the product must show: an unapplied credit memo and an
    overpayment (Payment.UnappliedAmt) from a recent receipt."""
    on_time = [c for c in customers if c.habit == "on_time"]
    for k in range(max(1, round(scale))):
        c = on_time[(2 * k) % len(on_time)]
        d = next_bday(as_of - timedelta(days=rng.randint(5, 20)))
        if d > as_of:
            d = prev_bday(as_of)
        _memo(led, c, d, cents(rng.randint(3, 12) * 10000), "Credit for unused retainer hours")
        ach = [p for p in led.payments if p.deposit_to == "operating" and p.customer.habit
               in ("on_time", "early") and not p.credits and p.date >= as_of - timedelta(days=60)]
        if not ach:
            continue
        pay = ach[(k * 7919) % len(ach)]
        extra = cents(rng.randint(250, 1500) * 100)
        pay.total += extra
        pay.unapplied += extra
        for mv in reversed(led.movements):
            if mv.txn is pay:
                mv.amount -= extra
                break
    led.facts["overpayments"] = max(1, round(scale))


def build_deposits(led: Ledger, as_of: date) -> None:
    """Checks sit in Undeposited Funds until the next business day's deposit."""
    batches: dict[date, list[Payment]] = {}
    for pay in led.payments:
        if pay.deposit_to == "undeposited":
            day = next_bday(pay.date + timedelta(days=1))
            if day <= as_of:
                batches.setdefault(day, []).append(pay)
    for day in sorted(batches):
        pays = batches[day]
        total = sum((p.total for p in pays), ZERO)
        dep = Deposit(date=day, account="operating", payments=pays, lines=[], total=total,
                      memo=f"Check deposit ({len(pays)} checks)")
        led.add(led.deposits, dep)
        for p in pays:
            p.deposit = dep
            p.touch(day)
        led.move(day, "operating", -total, dep,
                 BankText("REMOTE ONLINE DEPOSIT", None, "TRANSFER_IN_DEPOSIT", "other"),
                 kind="receipt")


def build_ar(led: Ledger, rng: random.Random, start: date, as_of: date, scale: float) -> None:
    customers = build_customers(led, rng, start, as_of, scale)
    build_invoices(led, rng, customers, start, as_of, scale)
    build_payments(led, rng, customers, as_of, start)
    add_open_credit_and_overpayment(led, rng, customers, as_of, scale)
    build_deposits(led, as_of)
