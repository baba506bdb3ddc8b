"""Generating and deciding Prep Tray items.

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
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import ROLE_RANK, Membership, Role
from apps.ap.models import Bill
from apps.ap.services import IN_FLIGHT, bill_payment_actions
from apps.ar.credits import credit_targets
from apps.ar.models import CreditMemo, Invoice, Payment
from apps.ar.overpayments import overpayment_targets
from apps.ar.services import collections_top
from apps.core.dates import business_now, local_today
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.money import format_money
from apps.core.services.audit import audit_record
from apps.core.services.data_version import pages_changed
from apps.integrations.sync.models import QboConnection, SyncRun
from apps.reserves.models import Reserve
from apps.runway.engine import RunwayResult
from apps.runway.rates import with_today_rates
from apps.tray.models import TrayItem

log = logging.getLogger(__name__)

BILL_WINDOW_DAYS = 14
URGENT_DAYS = 3
INVOICE_ITEMS_MAX = 25  # the tray stays a short list; the invoices page has the full ranking
BILL_ITEMS_MAX = 100  # most overdue first; the bills page lists the rest
CREDIT_ITEMS_MAX = 25  # largest first (credit memos and unapplied payments each)
RECONNECT_WARNING = timedelta(days=14)
SNOOZE_MAX = timedelta(days=90)
TIER = {
    TrayItem.Kind.CONNECTION: 0,
    "bill_urgent": 1,
    TrayItem.Kind.INVOICE_CHASE: 2,
    "bill_soon": 3,
    TrayItem.Kind.CREDIT_APPLY: 4,
    TrayItem.Kind.RESERVE_FUND: 5,
    TrayItem.Kind.SERIES_CONFIRM: 6,
    TrayItem.Kind.BANK_LINK: 4,
    TrayItem.Kind.BANK_UNMATCHED: 5,
    TrayItem.Kind.CURRENCY_RATE: 1,  # figures are incomplete until the rate is there
    TrayItem.Kind.CONTACT_FIX: 2,  # reminders to a customer stopped until it is fixed
    TrayItem.Kind.AUTOMATION_HELD: 1,  # a rule would have acted; the owner decides instead
}
CADENCE_WORDS = {
    "weekly": "every week",
    "biweekly": "every two weeks",
    "semimonthly": "twice a month",
    "monthly": "every month",
    "quarterly": "every quarter",
}


class TrayError(ApplicationError):
    code = "tray_invalid"


@dataclass
class Candidate:
    key: str
    kind: str
    tier: int
    score: Decimal
    title: str
    detail: str = ""
    amount: Decimal | None = None
    due_date: date | None = None
    impact_days: Decimal | None = None
    impact_sentence: str = ""
    target_type: str = ""
    target_id: str = ""


@dataclass
class TraySummary:
    created: int = 0
    updated: int = 0
    closed: int = 0
    reopened: int = 0
    open: int = 0
    keys: list[str] = field(default_factory=list)


# --- impact in days (cash-now decisions: Δcash ÷ daily burn, DESIGN §4) -------------------


def cash_impact(delta: Decimal, burn: Decimal | None, what: str, currency: str):
    """(days, sentence) for a decision that moves `delta` of cash today."""
    verb = "adds" if delta >= 0 else "takes"
    money = format_money(abs(delta), currency)
    if not burn or burn <= 0:
        return None, f"{what} {verb} {money} {'to' if delta >= 0 else 'from'} available cash."
    days = (delta / burn).quantize(Decimal("0.1"))
    if days == 0:
        days = abs(days)
    return days, (
        f"{what} {verb} {money} {'to' if delta >= 0 else 'from'} available cash: "
        f"{days:+} days of runway at {format_money(burn, currency)} a day of burn."
    )


# --- candidates ---------------------------------------------------------------------------


def _connection_candidates(business: Any, now) -> list[Candidate]:
    conn = QboConnection.objects.filter(business=business).first()
    if conn is None:
        return []
    out = []
    tier = TIER[TrayItem.Kind.CONNECTION]
    if conn.status != QboConnection.Status.CONNECTED:
        out.append(
            Candidate(
                "connection:qbo:reconnect",
                TrayItem.Kind.CONNECTION,
                tier,
                Decimal(3),
                "Reconnect QuickBooks",
                "QuickBooks stopped accepting our connection, so your numbers are not updating.",
                impact_sentence=(
                    "No runway change; until you reconnect, every figure here is frozen."
                ),
                target_type="connection",
                target_id="qbo",
            )
        )
    elif conn.refresh_expires_at and conn.refresh_expires_at - now < RECONNECT_WARNING:
        days_left = max((conn.refresh_expires_at - now).days, 0)
        out.append(
            Candidate(
                "connection:qbo:expiring",
                TrayItem.Kind.CONNECTION,
                tier,
                Decimal(4 if days_left <= 3 else 2),
                "Reconnect QuickBooks before the link expires",
                f"The QuickBooks link expires on {conn.refresh_expires_at:%b %-d} "
                f"({days_left} days left); we emailed the owners 14 and 3 days before.",
                due_date=conn.refresh_expires_at.date(),
                impact_sentence="No runway change; reconnecting keeps your numbers updating.",
                target_type="connection",
                target_id="qbo",
            )
        )
    last = SyncRun.objects.filter(business=business, source=SyncRun.Source.QBO).first()
    if last is not None and last.state == SyncRun.State.FAILED:
        out.append(
            Candidate(
                "connection:qbo:sync_failed",
                TrayItem.Kind.CONNECTION,
                tier,
                Decimal(1),
                "The last QuickBooks sync failed",
                (last.error or "No reason was given.")[:300],
                impact_sentence="No runway change; figures are as of the last good sync.",
                target_type="connection",
                target_id="qbo",
            )
        )
    return out


def _bill_candidates(business: Any, today: date, burn, currency: str) -> list[Candidate]:
    bills = list(
        Bill.objects.due_within(today, BILL_WINDOW_DAYS)
        .exclude(status=Bill.Status.ON_HOLD)
        .exclude(status=Bill.Status.SCHEDULED, scheduled_date__gt=today)
        .select_related("vendor")
        .order_by("due_date", "pk")[:BILL_ITEMS_MAX]
    )
    if not bills:
        return []
    with_today_rates(bills, currency, today)  # a foreign bill at today's rate, as the forecast
    paying = set(
        bill_payment_actions(business, [b.pk for b in bills])
        .filter(state__in=IN_FLIGHT)
        .values_list("target_id", flat=True)
    )
    out = []
    for bill in bills:
        if str(bill.pk) in paying:
            continue  # a payment is on its way; the bill page shows its state
        due = bill.due_date or bill.txn_date
        days_left = (due - today).days
        vendor = bill.vendor.display_name if bill.vendor else f"Vendor {bill.vendor_qbo_id}"
        urgent = days_left <= URGENT_DAYS
        approve = bill.status == Bill.Status.NEW
        when = (
            f"{-days_left} days overdue"
            if days_left < 0
            else "due today"
            if days_left == 0
            else f"due in {days_left} days"
        )
        if bill.today_home_balance is None:
            continue  # no rate: left out of the figures; the rate warning says so
        amount = bill.today_home_balance
        what = f"Paying {vendor} {format_money(amount, currency)} today"
        days, sentence = cash_impact(-amount, burn, what, currency)
        out.append(
            Candidate(
                f"bill:{bill.pk}",
                TrayItem.Kind.BILL_APPROVE if approve else TrayItem.Kind.BILL_PAY,
                TIER["bill_urgent" if urgent else "bill_soon"],
                Decimal(-days_left),
                f"{'Approve' if approve else 'Pay'} {vendor}"
                + (f" · bill {bill.doc_number}" if bill.doc_number else ""),
                f"{format_money(amount, currency)} {when}.",
                amount,
                due,
                days,
                sentence,
                "bill",
                str(bill.pk),
            )
        )
    return out


def _invoice_candidates(today: date, result: RunwayResult | None, burn, currency: str):
    late = {}
    if result is not None:
        late = {h.customer_id: h.avg_days_late for h in result.habits}
    ranked = collections_top(
        Invoice.objects.overdue(today).exclude(expected_date__gte=today),  # owner said when
        as_of=today,
        days_late_by_customer=late,
        limit=INVOICE_ITEMS_MAX,
    )
    out = []
    with_today_rates([p.invoice for p in ranked], currency, today)  # as the forecast counts it
    for p in ranked:
        inv = p.invoice
        if inv.today_home_balance is None:
            continue  # no rate: left out of the figures; the rate warning says so
        amount = inv.today_home_balance
        name = inv.customer.display_name if inv.customer else f"Customer {inv.customer_qbo_id}"
        what = f"Collecting {format_money(amount, currency)} from {name}"
        days, sentence = cash_impact(amount, burn, what, currency)
        habit = (
            f" Usually pays {late[inv.customer_qbo_id]} days late."
            if late.get(inv.customer_qbo_id) and late[inv.customer_qbo_id] > 0
            else ""
        )
        out.append(
            Candidate(
                f"invoice:{inv.pk}",
                TrayItem.Kind.INVOICE_CHASE,
                TIER[TrayItem.Kind.INVOICE_CHASE],
                p.score,
                f"Chase {name}" + (f" · invoice {inv.doc_number}" if inv.doc_number else ""),
                f"{format_money(amount, currency)}, "
                f"{p.days_overdue} days overdue.{habit}",
                amount,
                inv.due_date or inv.txn_date,
                days,
                sentence,
                "invoice",
                str(inv.pk),
            )
        )
    return out


def _credit_candidates(burn, currency: str) -> list[Candidate]:
    tier = TIER[TrayItem.Kind.CREDIT_APPLY]
    out = []
    memos = (
        CreditMemo.objects.filter(is_deleted=False, balance__gt=0)
        .select_related("customer")
        .order_by("-balance", "pk")[:CREDIT_ITEMS_MAX]
    )
    memos = list(memos)
    targets = credit_targets(memos)  # one query: each customer's oldest open invoice
    for memo in memos:
        name = memo.customer.display_name if memo.customer else "a customer"
        target = targets.get(memo.pk)
        title = f"Apply {name}'s credit memo" + (f" {memo.doc_number}" if memo.doc_number else "")
        detail = f"{format_money(memo.balance, currency)} of credit is unused in QuickBooks."
        applied = memo.balance
        what = (
            f"Applying {name}'s credit to their open invoices means the forecast expects "
            f"{format_money(memo.balance, currency)} less and"
        )
        if target is not None:
            applied = min(memo.balance, target.balance)
            number = target.doc_number or target.qbo_id
            detail += (
                f" Invoice {number} has {format_money(target.balance, currency)} open"
                + (f", due {target.due_date:%b %-d}." if target.due_date else ".")
            )
            what = (
                f"Applying {format_money(applied, currency)} of {name}'s credit to invoice "
                f"{number} means the forecast expects that much less and"
            )
        days, sentence = cash_impact(-applied, burn, what, currency)
        out.append(
            Candidate(
                f"credit:{memo.pk}",
                TrayItem.Kind.CREDIT_APPLY,
                tier,
                memo.balance,
                title,
                detail,
                memo.balance,
                None,
                days,
                sentence,
                "credit_memo",
                str(memo.pk),
            )
        )
    payments = (
        Payment.objects.filter(is_deleted=False, unapplied_amount__gt=0)
        .select_related("customer")
        .order_by("-unapplied_amount", "pk")[:CREDIT_ITEMS_MAX]
    )
    payments = list(payments)
    pay_targets = overpayment_targets(payments)  # one query, as for the memos
    for pay in payments:
        name = pay.customer.display_name if pay.customer else "a customer"
        target = pay_targets.get(pay.pk)
        detail = (f"{format_money(pay.unapplied_amount, currency)} was received but not applied "
                  "to an invoice.")
        applied = pay.unapplied_amount
        what = (
            f"Applying {name}'s overpayment means the forecast expects "
            f"{format_money(pay.unapplied_amount, currency)} less and"
        )
        if target is not None:
            applied = min(pay.unapplied_amount, target.balance)
            number = target.doc_number or target.qbo_id
            detail += (
                f" Invoice {number} has {format_money(target.balance, currency)} open"
                + (f", due {target.due_date:%b %-d}." if target.due_date else ".")
            )
            what = (
                f"Applying {format_money(applied, currency)} of {name}'s overpayment to invoice "
                f"{number} means the forecast expects that much less and"
            )
        days, sentence = cash_impact(-applied, burn, what, currency)
        out.append(
            Candidate(
                f"overpayment:{pay.pk}",
                TrayItem.Kind.CREDIT_APPLY,
                tier,
                pay.unapplied_amount,
                f"Apply {name}'s overpayment",
                detail,
                pay.unapplied_amount,
                pay.txn_date,
                days,
                sentence,
                "payment",
                str(pay.pk),
            )
        )
    return out


def _reserve_candidates(burn, currency: str) -> list[Candidate]:
    out = []
    for reserve in Reserve.objects.filter(active=True):
        gap = reserve.target - reserve.held
        if gap <= 0:
            continue
        what = f"Setting aside {format_money(gap, currency)} for {reserve.name}"
        days, sentence = cash_impact(-gap, burn, what, currency)
        out.append(
            Candidate(
                f"reserve:{reserve.pk}",
                TrayItem.Kind.RESERVE_FUND,
                TIER[TrayItem.Kind.RESERVE_FUND],
                gap,
                f"Top up the {reserve.name} reserve",
                f"{format_money(reserve.held, currency)} held of "
                f"{format_money(reserve.target, currency)}.",
                gap,
                reserve.due_date,
                days,
                sentence,
                "reserve",
                str(reserve.pk),
            )
        )
    return out


def _series_candidates(result: RunwayResult | None, currency: str) -> list[Candidate]:
    if result is None:
        return []
    out = []
    for s in result.history.series:
        if s.status != "detected" or not s.active:
            continue
        cadence = CADENCE_WORDS.get(s.cadence, s.cadence)
        out.append(
            Candidate(
                f"series:{s.key}"[:120],
                TrayItem.Kind.SERIES_CONFIRM,
                TIER[TrayItem.Kind.SERIES_CONFIRM],
                s.amount,
                f"Confirm {s.counterparty}: {format_money(s.amount, currency)} {cadence}",
                f"Seen {s.occurrences} times; last on {s.last_date:%b %-d}." if s.last_date else "",
                s.amount,
                s.dates[0] if s.dates else None,
                Decimal("0.0"),
                "Already in the forecast; confirming keeps it there, dismissing takes "
                f"{format_money(s.amount, currency)} {cadence} out.",
                "series",
                s.key,
            )
        )
    return out


def tray_candidates(business: Any, today: date, result: RunwayResult | None) -> list[Candidate]:
    currency = business.currency or "USD"
    burn = result.daily_burn if result is not None else None
    return [
        *_connection_candidates(business, timezone.now()),
        *_bill_candidates(business, today, burn, currency),
        *_invoice_candidates(today, result, burn, currency),
        *_credit_candidates(burn, currency),
        *_reserve_candidates(burn, currency),
        *_series_candidates(result, currency),
        *_bank_candidates(business, today),
        *vendor_credit_candidates(result, currency),
        *rate_missing_candidates(result),
        *_contact_candidates(),
        *_registered_candidates(business, today),
    ]


def _registered_candidates(business: Any, today: date) -> list[Candidate]:
    """Causes of the apps above the tray (apps/tray/sources.py), e.g. automation held back."""
    from apps.tray.sources import tray_sources

    out = []
    for name, source in tray_sources():
        try:
            out += [Candidate(**c) for c in source(business, today)]
        except Exception:  # one failing source must not empty the tray
            log.exception("tray cause source %s failed for %s", name, business.schema_name)
    return out


def _contact_candidates() -> list[Candidate]:
    """Customers whose reminders a bounce stopped: "Fix Acme's billing email"."""
    from apps.ar.reminders.selectors import stopped_customers

    return [
        Candidate(
            f"contact:{row.customer_id}:fix", TrayItem.Kind.CONTACT_FIX,
            TIER[TrayItem.Kind.CONTACT_FIX], Decimal(1),
            f"Fix {row.customer.display_name}'s billing email",
            f"Reminders to {row.customer.display_name} stopped: {row.stopped_reason}"[:300],
            impact_sentence="No runway change; until the address is fixed, no reminder "
                            "reaches them.",
            target_type="customer", target_id=str(row.customer_id),
        )
        for row in stopped_customers()
    ]


def vendor_credit_candidates(result: RunwayResult | None, currency: str) -> list[Candidate]:
    from apps.tray.real_books import vendor_credit_candidates as found

    return [Candidate(**c) for c in found(result, currency, TIER[TrayItem.Kind.CREDIT_APPLY])]


def rate_missing_candidates(result: RunwayResult | None) -> list[Candidate]:
    from apps.tray.real_books import rate_missing_candidates as found

    return [Candidate(**c) for c in found(result, TIER[TrayItem.Kind.CURRENCY_RATE])]


def _bank_candidates(business: Any, today: date) -> list[Candidate]:
    """Feed problems, account links to confirm and bank money QuickBooks doesn't know about."""
    from apps.bank.selectors import bank_tray_causes

    return [
        Candidate(
            cause.key, cause.kind, TIER[cause.kind], cause.score, cause.title, cause.detail,
            amount=cause.amount, due_date=cause.due_date, impact_sentence=cause.impact_sentence,
            target_type=cause.target_type, target_id=cause.target_id,
        )
        for cause in bank_tray_causes(business, today)
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
            with connection.cursor() as cursor:
                lock_id = zlib.crc32(f"tray:{business.schema_name}".encode())
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
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


# --- decisions ----------------------------------------------------------------------------


def _require(actor: Any, business: Any) -> None:
    role = (
        Membership.objects.filter(user=actor, business=business)
        .values_list("role", flat=True)
        .first()
        if getattr(actor, "pk", None)
        else None
    )
    if role is None or ROLE_RANK[role] < ROLE_RANK[Role.BOOKKEEPER]:
        raise PermissionDenied(f"Your role ({role or 'none'}) can't do this; it needs bookkeeper.")


def _decide(actor: Any, item: TrayItem, status: str, until: date | None = None) -> TrayItem:
    business = connection.tenant
    _require(actor, business)
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
