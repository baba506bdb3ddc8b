"""Ranking and deciding Prep Tray items. The causes come from the domains (each app's
`tray_causes.py`, plugged in `oodaloo/wiring.py`); this module ranks them, keeps them in line
with the books and records the owner's decisions.

`tray_generate` is idempotent: every cause has one key (`bill:42`, `invoice:7`, `reserve:3`,
`series:vendor:12`, `connection:qbo:reconnect` …) and regeneration updates that row. The owner's
decisions (done, snoozed, dismissed) are kept; open and snoozed items whose cause went away
(the bill was paid in QBO, the reserve was funded) are closed; a closed item whose cause comes
back is reopened. Ranking: tier first (connection problems, then bills due within 3 days or
overdue, invoices to chase, other bills due within 14 days, credits, reserves, recurring
series), then score within the tier (see docs/portal.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.core import hooks
from apps.core.advisory import xact_lock
from apps.core.dates import business_now, local_today
from apps.core.errors import ApplicationError
from apps.core.services.audit import audit_record
from apps.core.services.data_version import pages_changed
from apps.core.tray_causes import TRAY_CAUSES, TrayCause, TrayContext
from apps.runway.engine import RunwayResult
from apps.runway.rates import with_today_rates
from apps.tray.models import TrayItem

log = logging.getLogger(__name__)

SNOOZE_MAX = timedelta(days=90)
# Ranking: a cause's tier by its `rank` (or else its kind); score orders within a tier.
TIER = {
    "connection": 0,
    "bill_urgent": 1,
    "invoice_chase": 2,
    "bill_soon": 3,
    "credit_apply": 4,
    "reserve_fund": 5,
    "series_confirm": 6,
    "bank_link": 4,
    "bank_unmatched": 5,
    "currency_rate": 1,  # figures are incomplete until the rate is there
    "contact_fix": 2,  # reminders to a customer stopped until it is fixed
    "automation_held": 1,  # a rule would have acted; the owner decides instead
}

class TrayError(ApplicationError):
    code = "tray_invalid"


@dataclass(frozen=True)
class Candidate(TrayCause):
    """A domain's cause with the tier the tray ranks it in."""

    tier: int = 0


_CAUSE_FIELDS = tuple(f.name for f in fields(TrayCause))


@dataclass
class TraySummary:
    created: int = 0
    updated: int = 0
    closed: int = 0
    reopened: int = 0
    open: int = 0
    keys: list[str] = field(default_factory=list)


# --- candidates: the domains' causes, ranked ----------------------------------------------


def tray_candidates(business: Any, today: date, result: RunwayResult | None) -> list[Candidate]:
    """Every cause source plugged in `oodaloo/wiring.py` (apps/core/tray_causes.py), in order,
    each cause given its tier."""
    ctx = TrayContext(business=business, today=today, now=timezone.now(), result=result,
                      today_rates=with_today_rates)
    return [
        Candidate(**{name: getattr(cause, name) for name in _CAUSE_FIELDS},
                  tier=TIER[cause.rank or cause.kind])
        for source in hooks.plugged(TRAY_CAUSES)
        for cause in source(ctx)
    ]


# --- generation ---------------------------------------------------------------------------

FIELDS = (
    "kind",
    "tier",
    "score",
    "title",
    "detail",
    "amount",
    "due_date",
    "impact_days",
    "impact_sentence",
    "target_type",
    "target_id",
)


def _runway(business: Any, as_of: date) -> RunwayResult | None:
    from apps.runway.services import runway_compute

    try:
        return runway_compute(business, as_of=as_of)
    except Exception:  # the tray is still useful without impacts; the error is logged
        log.exception("runway unavailable for the tray of %s", business.schema_name)
        return None


def tray_generate(business: Any, as_of: date | None = None) -> TraySummary:
    """Bring the tray in line with the books. Safe to run any number of times, concurrently."""
    with tenant_context(business):
        today = as_of or local_today(business.timezone)
        result = _runway(business, today)
        candidates = {c.key: c for c in tray_candidates(business, today, result)}
        summary = TraySummary(keys=sorted(candidates))
        now = business_now()
        with transaction.atomic():
            # One generator at a time per business (sync finaliser vs. "refresh" button).
            xact_lock(f"tray:{business.schema_name}")
            existing = {
                item.key: item for item in TrayItem.objects.filter(key__in=list(candidates))
            }
            to_update, to_create = [], []
            for key, cand in candidates.items():
                item = existing.get(key)
                if item is None:
                    to_create.append(TrayItem(key=key, **{f: getattr(cand, f) for f in FIELDS}))
                    continue
                changed = False
                for f in FIELDS:
                    value = getattr(cand, f)
                    if getattr(item, f) != value:
                        setattr(item, f, value)
                        changed = True
                if item.status == TrayItem.Status.CLOSED:  # the cause came back
                    item.status = TrayItem.Status.OPEN
                    item.closed_at = None
                    summary.reopened += 1
                    changed = True
                if changed:
                    item.updated_at = now
                    to_update.append(item)
            TrayItem.objects.bulk_create(to_create)
            if to_update:
                TrayItem.objects.bulk_update(
                    to_update, [*FIELDS, "status", "closed_at", "updated_at"]
                )
            summary.created, summary.updated = len(to_create), len(to_update)
            summary.closed = (
                TrayItem.objects.filter(status__in=[TrayItem.Status.OPEN, TrayItem.Status.SNOOZED])
                .exclude(key__in=list(candidates))
                .update(status=TrayItem.Status.CLOSED, closed_at=now, updated_at=now)
            )
            summary.open = TrayItem.objects.visible(today).count()
        transaction.on_commit(lambda: pages_changed(business))  # the tray page shows them
    return summary


def tray_after_feed(business: Any) -> None:
    """Bank feed listener: a feed sync or a confirmed link moves what the tray shows (its
    "a day of burn", unmatched bank money, links to confirm)."""
    tray_generate(business)


def tray_after_sync(ctx: Any, full_sync: bool) -> None:
    """Sync finaliser: refresh the Prep Tray, then the business's public summary row, once the
    books changed (never fails the sync)."""
    from apps.tenancy.summary import summary_refresh_quietly

    try:
        tray_generate(ctx.business)
    except Exception:
        log.exception("tray generation after sync failed for %s", ctx.business.schema_name)
    # The public summary row (firm portfolio, staff console) follows every sync.
    summary_refresh_quietly(ctx.business)


# --- decisions ----------------------------------------------------------------------------




def _decide(actor: Any, item: TrayItem, status: str, until: date | None = None) -> TrayItem:
    business = connection.tenant
    membership_require(actor, business, Role.BOOKKEEPER)
    with transaction.atomic():
        item = TrayItem.objects.select_for_update().filter(pk=item.pk).first()
        if item is None:
            raise TrayError("This item no longer exists.")
        if item.status == TrayItem.Status.CLOSED:
            raise TrayError("This item went away on its own (the books changed).")
        before = {"status": item.status, "snoozed_until": item.snoozed_until}
        item.status = status
        item.snoozed_until = until
        item.decided_by_email = actor.email
        item.decided_at = timezone.now()
        item.save(
            update_fields=[
                "status",
                "snoozed_until",
                "decided_by_email",
                "decided_at",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action=f"tray.{status}",
            business=business,
            obj=item,
            before=before,
            after={"status": status, "snoozed_until": until, "key": item.key},
        )
        transaction.on_commit(lambda: pages_changed(business))
    return item


def tray_item_done(*, actor: Any, item: TrayItem) -> TrayItem:
    return _decide(actor, item, TrayItem.Status.DONE)


def tray_item_dismiss(*, actor: Any, item: TrayItem) -> TrayItem:
    return _decide(actor, item, TrayItem.Status.DISMISSED)


def tray_item_snooze(*, actor: Any, item: TrayItem, until: date) -> TrayItem:
    today = local_today(connection.tenant.timezone)
    if until <= today:
        raise TrayError("Snooze until a day after today.")
    if until > today + SNOOZE_MAX:
        raise TrayError("Snooze for at most 90 days.")
    return _decide(actor, item, TrayItem.Status.SNOOZED, until)


def tray_item_reopen(*, actor: Any, item: TrayItem) -> TrayItem:
    return _decide(actor, item, TrayItem.Status.OPEN)


def tray_mark_done_for(actor: Any, target_type: str, target_id: Any) -> None:
    """After a workflow action (pay, remind, schedule) from anywhere, tick its tray item."""
    item = TrayItem.objects.filter(
        target_type=target_type,
        target_id=str(target_id),
        status__in=[TrayItem.Status.OPEN, TrayItem.Status.SNOOZED],
    ).first()
    if item is not None:
        tray_item_done(actor=actor, item=item)


__all__ = [
    "TraySummary",
    "tray_generate",
    "tray_item_dismiss",
    "tray_item_done",
    "tray_item_reopen",
    "tray_item_snooze",
    "tray_mark_done_for",
]
