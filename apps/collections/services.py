"""Collections orchestration: the reminder plan and tick with each customer's habit (from the
runway's habit figures — ar sits below runway, so the habits are looked up here and passed
down), the beat dispatcher (each business's local morning) and the tray preview."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.db.models import F
from django_tenants.utils import tenant_context

from apps.ar.reminders.plan import Habit, Plan, reminders_plan
from apps.ar.reminders.send import TickReport, reminders_tick, tick_done, tick_key
from apps.ar.reminders.sequences import collections_settings
from apps.collections.freshness import books_hold, books_hold_of
from apps.core.clock import Clock
from apps.core.dates import business_now
from apps.core.enqueue import enqueue
from apps.runway.engine.habits import habits_from_stats
from apps.runway.selectors import paid_invoice_stats
from apps.tenancy.models import Business

REMINDERS_TICK = "reminders.tick"  # the per-business task (tasks.py) reminders_dispatch sends

TICK_AT = dtime(8, 0)  # local morning: reminders arrive at the start of the customer's day


def customer_habits(as_of: date) -> dict[str, Habit]:
    """QBO customer id → its own habit (count = its fully paid invoices in the window). Runs in
    the business's schema; one query (the runway's habit statistics)."""
    facts = habits_from_stats(paid_invoice_stats(as_of), {})
    return {cid: Habit(h.avg_days_late, h.count) for cid, h in facts.by_customer.items()
            if h.basis == "customer"}


def local_day(business: Business, now: datetime | None = None) -> date:
    return (now or business_now()).astimezone(ZoneInfo(business.timezone)).date()


def reminders_plan_for(business: Business, day: date, *, include_held: bool = False,
                       preview: bool = False) -> Plan:
    with tenant_context(business):
        return reminders_plan(day, customer_habits(day), include_held=include_held,
                              preview=preview)


def reminders_run(business: Business, day: date, *, clock: Clock | None = None) -> TickReport:
    # A tick queued before staff paused the business sends nothing (apps/staff).
    if Business.objects.filter(pk=business.pk, automation_paused_at__isnull=False).exists():
        return TickReport(tick_key(business, day), "paused")
    # Nor one on stale books (freshness.py): the day is not finished, the dispatcher comes back.
    if books_hold(business) is not None:
        return TickReport(tick_key(business, day), "held")
    with tenant_context(business):
        habits = customer_habits(day)
    return reminders_tick(business, day, habits, clock=clock)


def reminders_preview(business: Business, today: date) -> Plan | None:
    """Tomorrow's reminders for the tray (held customers included, marked held); None while
    reminders are off. Writes nothing (a GET)."""
    with tenant_context(business):
        if not collections_settings().enabled:
            return None
    return reminders_plan_for(business, today + timedelta(days=1), include_held=True,
                              preview=True)


def reminders_due(now: datetime | None = None) -> list[tuple[Business, date]]:
    """Businesses whose local morning has come, with reminders on, fresh books and today's
    tick not done (or an email of the last few days still to go: send.py, retry.py)."""
    now = now or business_now()
    due = []
    # Staff paused this business's automation and reminders (apps/staff): nothing is sent.
    for business in (Business.objects.real().filter(automation_paused_at__isnull=True)
                     .annotate(qbo_status=F("qbo_connection__status")).order_by("pk")):
        local = now.astimezone(ZoneInfo(business.timezone))
        if local.time() < TICK_AT:
            continue
        if books_hold_of(business.last_sync_at, business.qbo_status, now) is not None:
            continue  # held until fresh data arrives (the tick then catches the days up)
        with tenant_context(business):
            row = collections_settings()
            # `automated`: the automation's reminders rule runs the tick, with its guardrails.
            if not row.enabled or row.automated or tick_done(local.date()):
                continue
        due.append((business, local.date()))
    return due


def reminders_dispatch(now: datetime | None = None) -> list[str]:
    """Beat's tick: one `reminders.tick` per due business, sent inside its tenant context."""
    keys = []
    for business, day in reminders_due(now):
        with tenant_context(business):
            enqueue(REMINDERS_TICK, day=day.isoformat())
        keys.append(f"remind:{business.schema_name}:{day.isoformat()}")
    return keys
