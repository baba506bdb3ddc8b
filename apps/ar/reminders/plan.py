"""What falls due on a day: each customer's invoices whose (habit-shifted) step day is that day,
grouped into one email per customer. A read path (selector): it writes only the contact rows
QuickBooks' addresses imply.

Rules (docs/collections.md): an open, not-deleted, not-disputed invoice of a customer that is
not paused, not "never", not stopped by a bounce; the customer's sequence (its own, else the
default); the step whose scheduled day (due + shifted offset) is the latest on or before the
day and no more than CATCH_UP_DAYS before it (a tick missed by a down worker is made up; an
older step is skipped, never back-filled); nothing when that step's key, or a later step's, was
already used, or a step of that offset or a later one went out from another sequence (the
customer's sequence changed since). The email uses the firmest step among its invoices (the
largest offset).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from apps.ar.models import Customer, Invoice
from apps.ar.reminders.contacts import contacts_ensure
from apps.ar.reminders.models import (
    CustomerReminders,
    ReminderContact,
    ReminderSend,
    ReminderSequence,
    ReminderStep,
)
from apps.ar.reminders.sequences import (
    OWN_SEQUENCE_MODES,
    habit_shift,
    scheduled_offsets,
    sequence_default,
)

CATCH_UP_DAYS = 3
Mode = CustomerReminders.Mode


def reminder_key(invoice_id: int, step_id: int) -> str:
    return f"remind:{invoice_id}:{step_id}"


@dataclass(frozen=True)
class Habit:
    avg_days_late: Decimal | None
    paid_count: int


@dataclass
class PlannedItem:
    invoice: Invoice
    step: ReminderStep
    scheduled_offset: int
    days_overdue: int

    @property
    def key(self) -> str:
        return reminder_key(self.invoice.pk, self.step.pk)


@dataclass
class PlannedEmail:
    customer: Customer
    items: list[PlannedItem]
    contacts: list[ReminderContact]
    shift: int
    held: bool = False
    why_not: str = ""  # set when the email would not go (held, no contact)

    @property
    def lead(self) -> PlannedItem:
        return max(self.items, key=lambda i: (i.step.offset_days, i.invoice.pk))

    @property
    def total(self) -> Decimal:
        return sum((i.invoice.balance for i in self.items), Decimal(0))

    @property
    def currency(self) -> str:
        return self.items[0].invoice.currency

    @property
    def cc_owner(self) -> bool:
        return any(i.step.cc_owner for i in self.items)


@dataclass
class Plan:
    day: date
    emails: list[PlannedEmail] = field(default_factory=list)

    @property
    def sendable(self) -> list[PlannedEmail]:
        return [e for e in self.emails if not e.why_not]


def _steps_by_sequence() -> tuple[ReminderSequence, dict[int, list[ReminderStep]]]:
    default = sequence_default()
    steps: dict[int, list[ReminderStep]] = {}
    for step in ReminderStep.objects.order_by("offset_days"):
        steps.setdefault(step.sequence_id, []).append(step)
    return default, steps


@dataclass
class UsedSteps:
    """An invoice's steps already sent: their ids, and their offsets (days from due) when sent
    — a step of another sequence (the customer's changed since) is used by its offset."""

    ids: set[int] = field(default_factory=set)
    offsets: set[int] = field(default_factory=set)


def used_steps(invoice_ids: list[int]) -> dict[int, UsedSteps]:
    used: dict[int, UsedSteps] = {}
    for inv_id, step_id, offset in ReminderSend.objects.filter(
            invoice__in=invoice_ids).values_list("invoice_id", "step_id", "step_offset"):
        row = used.setdefault(inv_id, UsedSteps())
        row.offsets.add(offset)
        if step_id is not None:
            row.ids.add(step_id)
    return used


def _pick(invoice: Invoice, steps: list[ReminderStep], shift: int, day: date,
          used: UsedSteps) -> PlannedItem | None:
    due = invoice.due_date or invoice.txn_date
    sched = scheduled_offsets([s.offset_days for s in steps], shift)
    best = None
    for step in steps:  # ascending offset; the scheduled days ascend with them
        on = due + timedelta(days=sched[step.offset_days])
        if on <= day:
            best = (step, sched[step.offset_days], on)
    if best is None or best[2] <= day - timedelta(days=CATCH_UP_DAYS + 1):
        return None
    step = best[0]
    if any(s.pk in used.ids for s in steps if s.offset_days >= step.offset_days) \
            or any(o >= step.offset_days for o in used.offsets):
        return None  # this step or a later one already went (the tick, or a manual send)
    return PlannedItem(invoice, step, best[1], (day - due).days)


def reminders_plan(day: date, habits: Mapping[str, Habit], *, include_held: bool = False,
                   customer_ids: list[int] | None = None, preview: bool = False) -> Plan:
    """The emails the tick would send on `day` (`include_held`: also those a hold stops, for
    the tray preview; `preview`: write nothing, not even contact rows).
    `habits`: QBO customer id → its own habit (the runway's figures)."""
    default, steps = _steps_by_sequence()
    all_steps = [s for group in steps.values() for s in group]
    if not all_steps:
        return Plan(day)
    settings = {r.customer_id: r for r in CustomerReminders.objects.all()}
    blocked = [cid for cid, r in settings.items()
               if r.mode == Mode.NEVER or r.stopped_reason
               or (r.mode == Mode.PAUSED and not include_held)]
    lo = min(s.offset_days for s in all_steps)
    hi = max(s.offset_days for s in all_steps)
    invoices = (Invoice.objects.open().filter(disputed_at__isnull=True, customer__isnull=False,
                                              customer__active=True)
                .exclude(customer_id__in=blocked)
                .filter(Q(due_date__gte=day - timedelta(days=hi + CATCH_UP_DAYS),
                          due_date__lte=day - timedelta(days=lo))
                        | Q(due_date__isnull=True,
                            txn_date__gte=day - timedelta(days=hi + CATCH_UP_DAYS),
                            txn_date__lte=day - timedelta(days=lo)))
                .select_related("customer").order_by("customer_id", "due_date", "pk"))
    if customer_ids is not None:
        invoices = invoices.filter(customer_id__in=customer_ids)
    invoices = list(invoices)
    used = used_steps([i.pk for i in invoices])
    grouped: dict[int, list[PlannedItem]] = {}
    shifts: dict[int, int] = {}
    for inv in invoices:
        row = settings.get(inv.customer_id)
        seq_id = row.sequence_id if row and row.mode in OWN_SEQUENCE_MODES and row.sequence_id \
            else default.pk
        habit = habits.get(inv.customer_qbo_id)
        shift = habit_shift(habit.avg_days_late, habit.paid_count) if habit else 0
        item = _pick(inv, steps.get(seq_id, []), shift, day, used.get(inv.pk, UsedSteps()))
        if item is not None:
            grouped.setdefault(inv.customer_id, []).append(item)
            shifts[inv.customer_id] = shift
    customers = [items[0].invoice.customer for items in grouped.values()]
    edited = {cid for cid, r in settings.items() if r.contacts_edited}
    contacts = contacts_ensure(customers, edited, create=not preview)
    plan = Plan(day)
    for customer in customers:
        deliverable = [c for c in contacts[customer.pk] if c.deliverable]
        row = settings.get(customer.pk)
        email = PlannedEmail(customer, grouped[customer.pk], deliverable, shifts[customer.pk])
        if row is not None and row.mode == Mode.PAUSED:
            email.held, email.why_not = True, "held"
        elif not deliverable:
            email.why_not = "no billing email (unsubscribed, bounced or missing)"
        plan.emails.append(email)
    plan.emails.sort(key=lambda e: (e.customer.display_name, e.customer.pk))
    return plan
