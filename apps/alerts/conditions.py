"""When each kind of alert is due for one business, and what it says. Read-only: the claim
(services.py) decides whether it is sent. Each check returns a Finding or None."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from apps.alerts.models import Alert, AlertSettings, Kind
from apps.ap.models import Bill
from apps.bank.selectors import feed_reconnect_prompts
from apps.core.dates import local_time
from apps.core.money import format_money
from apps.integrations.sync.models import Action, QboConnection, SyncRun
from apps.integrations.sync.reconnect_notices import notice_due, reconnect_notice_record

log = logging.getLogger(__name__)

PAYMENT_KINDS = ("bill_payment.",)  # outbox kinds that move money
PAYMENT_LOOKBACK = timedelta(days=7)


@dataclass
class Finding:
    kind: str  # also names the page it links to (PAGES)
    title: str
    text: str
    detail: dict[str, Any] = field(default_factory=dict)
    # Run inside the claim's transaction; False = no longer due, claim nothing (reconnect).
    on_claim: Callable[[], bool] | None = None


@dataclass
class Context:
    business: Any
    now: datetime
    today: date
    prefs: AlertSettings
    _runway: Any = None
    _runway_loaded: bool = False

    @property
    def runway(self):
        """Today's runway result (cached by the runway app), or None when it cannot be had."""
        if not self._runway_loaded:
            from apps.runway.services import runway_compute

            self._runway_loaded = True
            try:
                self._runway = runway_compute(self.business, as_of=self.today)
            except Exception:
                log.exception("runway unavailable for the alerts of %s",
                              self.business.schema_name)
        return self._runway


def _money(ctx: Context, amount: Decimal) -> str:
    return format_money(amount, ctx.business.currency or "USD")


def _local(at: datetime, ctx: Context) -> datetime:
    return local_time(at, ctx.business.timezone)


def runway_low(ctx: Context) -> Finding | None:
    result = ctx.runway
    threshold = ctx.prefs.runway_days_threshold
    if result is None or result.runway_days is None or result.runway_days >= threshold:
        return None
    days = int(result.runway_days)
    return Finding(
        Kind.RUNWAY_LOW, f"Runway is down to {days} days",
        f"{ctx.business.name} has {days} days of runway, below your {threshold}-day alert: "
        f"{_money(ctx, result.available)} available, spending about "
        f"{_money(ctx, result.daily_burn)} a day.",
        {"runway_days": f"{result.runway_days:.1f}", "threshold": threshold},
    )


def cash_zero(ctx: Context) -> Finding | None:
    result = ctx.runway
    week = result.cash_zero_week if result is not None else None
    if week is None:
        return None
    low = result.low_point
    return Finding(
        Kind.CASH_ZERO, f"Cash runs out the week of {week:%b} {week.day}",
        f"The forecast for {ctx.business.name} goes below zero the week of {week:%B} {week.day}"
        f" (low point {_money(ctx, low.amount)}). Moving a payment or chasing an invoice now "
        "can change that.",
        {"week": week.isoformat(), "low_point": f"{low.amount:.2f}"},
    )


def _alerted_actions(ctx: Context) -> set[int]:
    since = ctx.today - PAYMENT_LOOKBACK - timedelta(days=1)
    ids: set[int] = set()
    for detail in Alert.objects.filter(kind=Kind.PAYMENT_PROBLEM, day__gte=since).values_list(
            "detail", flat=True):
        ids.update(int(i) for i in (detail or {}).get("actions", []))
    return ids


def payment_problem(ctx: Context) -> Finding | None:
    """A payment QuickBooks refused, or one that drifted (QuickBooks no longer agrees), not yet
    alerted: an event, so each problem is told once (not every day)."""
    kinds = Q()
    for prefix in PAYMENT_KINDS:
        kinds |= Q(kind__startswith=prefix)
    rows = list(
        Action.objects.filter(kinds, business=ctx.business,
                              updated_at__gte=ctx.now - PAYMENT_LOOKBACK)
        .filter(Q(state=Action.State.FAILED) | Q(drift=True))
        .exclude(pk__in=_alerted_actions(ctx)).order_by("pk")
    )
    if not rows:
        return None
    bills = {str(b.pk): b for b in Bill.objects.filter(
        pk__in=[int(a.target_id) for a in rows[:5]
                if a.target_type == "bill" and a.target_id.isdigit()]).select_related("vendor")}
    lines = []
    for a in rows[:5]:
        amount = (a.payload or {}).get("amount")
        money = _money(ctx, Decimal(str(amount))) if amount else "A"
        bill = bills.get(a.target_id) if a.target_type == "bill" else None
        about = ""
        if bill is not None:
            vendor = bill.vendor.display_name if bill.vendor else "a vendor"
            about = f" to {vendor}" + (f" (bill {bill.doc_number})" if bill.doc_number else "")
        what = "no longer matches QuickBooks" if a.drift else "failed"
        lines.append(f"• {money} payment{about} {what}: {(a.error or 'no reason given')[:160]}")
    more = f"\n…and {len(rows) - 5} more." if len(rows) > 5 else ""
    title = ("A payment needs your attention" if len(rows) == 1
             else f"{len(rows)} payments need your attention")
    return Finding(
        Kind.PAYMENT_PROBLEM, title, "\n".join(lines) + more,
        {"actions": [a.pk for a in rows]},
    )


def _failing_since(ctx: Context) -> datetime | None:
    """Since when QuickBooks sync has been failing (None: it is not)."""
    runs = SyncRun.objects.filter(business=ctx.business, source=SyncRun.Source.QBO)
    conn = QboConnection.objects.filter(business=ctx.business).first()
    last = runs.first()
    reconnect = conn is not None and conn.status == QboConnection.Status.NEEDS_RECONNECT
    if not reconnect and (last is None or last.state != SyncRun.State.FAILED):
        return None
    good = runs.filter(state=SyncRun.State.SUCCEEDED).first()
    failed = runs.filter(state=SyncRun.State.FAILED)
    if good is not None:
        failed = failed.filter(started_at__gt=good.started_at)
    first_failed = failed.order_by("started_at").first()
    candidates = [t for t in (
        first_failed.started_at if first_failed else None,
        good.finished_at if (good and reconnect) else None,
        ctx.business.last_sync_at if reconnect else None,
    ) if t is not None]
    return min(candidates) if candidates else None


def sync_failing(ctx: Context) -> Finding | None:
    hours = ctx.prefs.sync_failing_hours
    since = _failing_since(ctx)
    if since is None or ctx.now - since < timedelta(hours=hours):
        return None
    last = SyncRun.objects.filter(business=ctx.business, source=SyncRun.Source.QBO,
                                  state=SyncRun.State.FAILED).first()
    reason = (last.error if last else "") or "QuickBooks needs reconnecting."
    age = int((ctx.now - since).total_seconds() // 3600)
    return Finding(
        Kind.SYNC_FAILING, f"QuickBooks has not synced for {age} hours",
        f"Updates from QuickBooks for {ctx.business.name} have failed since "
        f"{_local(since, ctx):%b %-d %H:%M %Z}; figures are as of the last good sync. "
        f"Last error: {reason[:300]}",
        {"since": since.isoformat(), "hours": hours},
    )


def qbo_reconnect(ctx: Context) -> Finding | None:
    conn = QboConnection.objects.filter(business=ctx.business).first()
    days = notice_due(conn, ctx.now) if conn is not None else None
    if days is None:
        return None
    when = _local(conn.refresh_expires_at, ctx)  # "before March 5" on the owner's calendar
    return Finding(
        Kind.QBO_RECONNECT, f"Reconnect QuickBooks before {when:%B} {when.day} ({days} days left)",
        f"QuickBooks will stop sharing {ctx.business.name}'s books with Oodaloo on "
        f"{when:%B} {when.day}, {when.year} unless you reconnect. It takes one click and a "
        "QuickBooks sign-in; until then everything keeps updating as usual.",
        {"notice": days, "expires": conn.refresh_expires_at.isoformat()},
        on_claim=lambda: reconnect_notice_record(conn, days, ctx.now),
    )


def bank_repair(ctx: Context) -> Finding | None:
    items = feed_reconnect_prompts(ctx.business)
    if not items:
        return None
    names = ", ".join(sorted({i.institution_name or "your bank" for i in items}))
    return Finding(
        Kind.BANK_REPAIR, f"Reconnect {names}",
        f"The bank needs you to sign in again before Oodaloo can read {names} for "
        f"{ctx.business.name}; until then bank figures are frozen.",
        {"items": sorted(i.item_id for i in items), "states": sorted({i.status for i in items})},
    )


# The portal page each kind of alert links to (a path of the business's host).
PAGES: dict[str, str] = {
    Kind.RUNWAY_LOW: "/",
    Kind.CASH_ZERO: "/whatif/",
    Kind.PAYMENT_PROBLEM: "/activity/",
    Kind.SYNC_FAILING: "/connect/qbo/",
    Kind.QBO_RECONNECT: "/connect/qbo/",
    Kind.BANK_REPAIR: "/settings/bank/",
}

CHECKS: dict[str, Callable[[Context], Finding | None]] = {
    Kind.RUNWAY_LOW: runway_low,
    Kind.CASH_ZERO: cash_zero,
    Kind.PAYMENT_PROBLEM: payment_problem,
    Kind.SYNC_FAILING: sync_failing,
    Kind.QBO_RECONNECT: qbo_reconnect,
    Kind.BANK_REPAIR: bank_repair,
}
