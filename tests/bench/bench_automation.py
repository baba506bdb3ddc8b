"""Automation coverage: the share of routine decisions the default rules take on the demo
agency's last 13 weeks replayed, without breaking a guardrail (issue #21; goal ≥ 70 %).

The real thing, day by day: the demo agency (apps/demo/generator, seed 1; quick: scale 1,
2 years; full: scale 3, 3 years) is stored through the QBO sync's ingest (`qbo_ingest_objects`,
with its finalisers: statuses, tray) as its books stood 13 weeks before its as-of date; the owner
switches the default rules on (approve known vendors' bills up to 1,000.00, schedule 3 days
before due, record scheduled payments on their date, send reminder steps — the defaults of
apps/automation/plan.py and rules.py: runway floor 30 days, low point floor 0, stale after 26 h).
Then, for each of the 91 days, under `business_now_override` (apps/core/dates.py) so every
service agrees on the replayed day:

- 06:00 — the morning sync: the rows new or changed since the day before
  (tests/bench/automation_replay.py cuts the one generated ledger at each day; the cut at the
  as-of day equals `generate_company`'s files), ingested as a CDC sync would; `last_sync_at`
  stamped then;
- 07:00 — the owner approves the day's new bills the approve rule does not cover (over the limit
  or from a vendor never paid): a person's decision, not counted, which the schedule rule then
  schedules;
- 09:00 and 17:00 — `automation_tick`, the production tick: plan, guardrails through the runway
  engine, act through the services, hand waiting payments to the outbox once the undo window is
  over (60 min), tray items for what it held.

Full mode adds the same replay with a 60-day runway floor (stricter than the default 30): the
guardrails at work, holds counted by code; no target (it informs).

Counted (each decision once, by its idempotency key, over the whole replay): routine decisions
the rules met — taken (done / waiting / released to the outbox), held (by guardrail code,
the last reason on a key never taken) or refused by a service. Share = taken ÷ met.

Approximated, and said so in the row: our own actions never reach the replayed books (there is
no QuickBooks behind the outbox, so a payment the rule records stays `pending` in the outbox and
the bill is paid in the books when the agency's history paid it); reminder emails go to Django's
in-memory mail backend; a decision the planner never proposes is not in the count (a schedule
waiting behind a held approval counts once, as that approval)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from datetime import time as dtime
from decimal import Decimal

from tests.bench.harness import Result

AS_OF = date(2026, 11, 27)
WINDOW = 91
SEED = 1
GOAL = 70.0
TZ = "America/Los_Angeles"
OWNER = "owner@automation-bench.test"
ROUTINE = ("approve", "schedule", "record", "remind")
STRICT_FLOOR = Decimal("60")
STRICT_IN_QUICK = False  # quick stays near 2 minutes: one replay
SYNC_AT, OWNER_AT, TICKS = dtime(6, 0), dtime(7, 0), (dtime(9, 0), dtime(17, 0))


class Tally:
    """Each routine decision by its key: taken, or the last reason it was held / refused."""

    def __init__(self) -> None:
        self.taken: dict[str, str] = {}
        self.open: dict[str, tuple[str, str]] = {}

    def add(self, report) -> None:
        for o in report.outcomes:
            kind, key = o.step.kind, o.step.key
            if kind not in ROUTINE or key in self.taken:
                continue
            if o.state in ("done", "waiting"):
                self.taken[key] = kind
                self.open.pop(key, None)
            elif o.state == "held":
                self.open[key] = (kind, o.hold.code if o.hold else "held")
            elif o.state == "failed":
                self.open[key] = (kind, "refused")

    def by_kind(self) -> tuple[Counter, Counter, Counter]:
        met, taken, held = Counter(), Counter(self.taken.values()), Counter()
        for kind in self.taken.values():
            met[kind] += 1
        for kind, reason in self.open.values():
            met[kind] += 1
            held[reason] += 1
        return met, taken, held


def _setup(slug: str, scale: float, years: float):
    from django_tenants.utils import tenant_context

    from apps.accounts.models import Membership, Role, User
    from apps.ar.reminders.models import CollectionsSettings
    from apps.integrations.sync.models import QboConnection
    from apps.tenancy.models import Business
    from apps.tenancy.services import business_provision
    from tests.bench.automation_replay import demo_ledger

    Business.objects.filter(slug=slug).delete()  # a replay starts from empty books
    business_provision(slug=slug, name=f"Bench {slug}", timezone=TZ)
    business = Business.objects.get(slug=slug)
    user = User.objects.filter(email=OWNER).first() or User.objects.create_user(
        OWNER, "bench-password-1")
    Membership.objects.get_or_create(user=user, business=business, defaults={"role": Role.OWNER})
    QboConnection.objects.update_or_create(
        business=business, defaults={"realm_id": f"9130{SEED:012d}", "api_base":
                                     "http://127.0.0.1:9", "access_token": "none",
                                     "refresh_token": "none"})
    # No QuickBooks behind the connection, so reminders attach no invoice PDFs: asking would
    # only wait through the client's retries, and the ticks would time that wait, not our work.
    with tenant_context(business):
        CollectionsSettings.objects.update_or_create(singleton=1,
                                                     defaults={"attach_pdfs": False})
    led, start = demo_ledger(SEED, years, scale, AS_OF)
    return business, user, led, start


def _sync(business, rows: dict[str, list[dict]]) -> int:
    """The morning's changes through the sync's ingest, in its entity order, then finalised."""
    from apps.core.dates import business_now
    from apps.integrations.sync.qbo_sync import SYNC_ORDER, qbo_ingest_objects
    from apps.tenancy.models import Business

    entities = [e for e in SYNC_ORDER if e in rows]
    stored = 0
    for n, entity in enumerate(entities):
        stored += qbo_ingest_objects(business, entity, rows[entity],
                                     finalise=n == len(entities) - 1)
    Business.objects.filter(pk=business.pk).update(last_sync_at=business_now(), last_error="")
    return stored


def _switch_on(business, owner, floor_days: Decimal | None) -> None:
    from django_tenants.utils import tenant_context

    from apps.automation.rules import rule_save, rule_switch, rules_all

    with tenant_context(business):
        for rule in rules_all():  # every rule with its defaults and the default guardrails
            if floor_days is not None and rule.kind in ROUTINE:
                rule_save(actor=owner, kind=rule.kind, params=rule.params,
                          floor_days=floor_days, floor_amount=rule.floor_amount,
                          stale_hours=rule.stale_hours)
        for kind in ROUTINE:
            rule_switch(actor=owner, kind=kind, on=True)


def _owner_approves(business, owner) -> int:
    """The owner's own approvals: new bills outside the approve rule (over its limit, or from a
    vendor never paid). Not a routine decision; the schedule rule takes it from there."""
    from django_tenants.utils import tenant_context

    from apps.ap.models import Bill
    from apps.ap.services import bill_approve
    from apps.automation.models import Rule
    from apps.automation.plan import _vendor_paid_counts, params_of
    from apps.core.errors import ApplicationError

    n = 0
    with tenant_context(business):
        params = params_of(Rule.objects.get(kind=Rule.Kind.APPROVE))
        limit, known = Decimal(str(params["limit"])), int(params["known_paid"])
        paid = _vendor_paid_counts()
        for bill in Bill.objects.open().filter(status=Bill.Status.NEW):
            if bill.home_balance <= limit and paid.get(bill.vendor_qbo_id, 0) >= known:
                continue  # the rule's to take
            try:
                bill_approve(actor=owner, bill=bill, approval_limit=Decimal(0))
                n += 1
            except ApplicationError:
                pass
    return n


def replay(scale: float, years: float, floor_days: Decimal | None = None) -> dict:
    from django.test import override_settings

    slug = f"automation-s{int(scale * 10)}y{years}" + (f"-f{floor_days}" if floor_days else "")
    started = time.perf_counter()
    business, owner, led, start = _setup(slug, scale, years)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        tally, ticks, stored, owner_approved, tick_s = _days(business, owner, led, start,
                                                             floor_days)
    met, taken, held = tally.by_kind()
    return {"met": met, "taken": taken, "held": held, "ticks": ticks, "stored": stored,
            "owner_approved": owner_approved, "tick_seconds": tick_s,
            "seconds": time.perf_counter() - started, "outbox": _outbox(business)}


def _days(business, owner, led, start, floor_days):
    from apps.automation.tick import automation_tick
    from apps.core.dates import business_today_override
    from tests.bench.automation_replay import Morning

    first = AS_OF - timedelta(days=WINDOW)
    tally, ticks, stored, owner_approved, tick_s = Tally(), 0, 0, 0, 0.0
    morning = Morning(led, start)
    for n in range(WINDOW + 1):
        day = first + timedelta(days=n)
        with business_today_override(day, TZ, SYNC_AT):
            stored += _sync(business, morning.changes(day))
        if n == 0:  # the books as they stood 13 weeks ago: the owner turns the rules on
            with business_today_override(day, TZ, SYNC_AT):
                _switch_on(business, owner, floor_days)
            continue
        with business_today_override(day, TZ, OWNER_AT):
            owner_approved += _owner_approves(business, owner)
        for at in TICKS:
            with business_today_override(day, TZ, at):
                t0 = time.perf_counter()
                tally.add(automation_tick(business))
                tick_s += time.perf_counter() - t0
                ticks += 1
    return tally, ticks, stored, owner_approved, tick_s


def _outbox(business) -> int:
    from apps.integrations.sync.models import Action

    return Action.objects.filter(business=business, kind__startswith="bill_payment").count()


def run(quick: bool) -> list[Result]:
    scale, years = (1, 2) if quick else (3, 3)
    rows = [_row(replay(scale, years), scale, years, None)]
    if not quick or STRICT_IN_QUICK:
        # A stricter runway floor than the default: the same replay with the guardrails at work.
        rows.append(_row(replay(scale, years, STRICT_FLOOR), scale, years, STRICT_FLOOR))
    return rows


def _row(r: dict, scale: float, years: float, floor_days: Decimal | None) -> Result:
    met, taken, held = r["met"], r["taken"], r["held"]
    total, done = sum(met.values()), sum(taken.values())
    share = round(100 * done / total, 1) if total else 0.0
    kinds = ", ".join(f"{k} {taken[k]}/{met[k]}" for k in ROUTINE)
    holds = sum(held.values())
    default = floor_days is None
    return Result(
        name=f"Routine decisions taken by the default rules (demo agency scale {scale}, "
             f"{years} years; its last 13 weeks replayed through the real automation tick"
             + (")" if default else f"; runway floor {floor_days} days, stricter than the "
                                    "default)"),
        figure=share, unit="%", target=f"≥ {GOAL:g} %" if default else "— (informs)",
        passed=(total > 0 and share >= GOAL) if default else None,
        reference="every routine decision a click (before automation)", reference_figure=0.0,
        notes=(f"{done}/{total} taken (taken/met: {kinds}); guardrail holds and refusals "
               f"{holds}" + (f" ({', '.join(f'{k} {n}' for k, n in sorted(held.items()))})"
                             if holds else "")
               + f". {r['ticks']} ticks over {WINDOW} days (09:00 and 17:00), "
               f"{r['tick_seconds'] / max(r['ticks'], 1) * 1000:.0f} ms a tick; "
               f"{r['stored']:,} rows synced; {r['owner_approved']} bills approved by the owner "
               f"(over the limit or new vendors; not counted); {r['outbox']} payments in the "
               f"outbox; replay {r['seconds']:.0f} s. Approximated: the rules' own actions "
               "never reach the replayed books (no QuickBooks behind the outbox: a recorded "
               "payment appears in the books when the agency's history paid it); reminder "
               "emails go to the in-memory mail backend, without the invoices' PDFs."),
        extra={"met": dict(met), "taken": dict(taken), "held": dict(held),
               "ticks": r["ticks"], "seconds": round(r["seconds"], 1),
               "floor_days": str(floor_days) if floor_days else "default"},
    )
