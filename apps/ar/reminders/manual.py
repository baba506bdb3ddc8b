"""The "Send reminder" button: a manual send of the customer's next step for one invoice, through
the same claim and delivery as the tick (one path). At most one manual reminder per invoice per
local day; the step's key is used, so the tick never sends that step again. A reminder of
today's that the mail provider refused (nothing went) is sent again instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.ar.models import Invoice
from apps.ar.reminders.contacts import contacts_ensure
from apps.ar.reminders.models import CustomerReminders, ReminderEmail, ReminderSend
from apps.ar.reminders.plan import (
    Habit,
    PlannedEmail,
    PlannedItem,
    UsedSteps,
    reminder_key,
    used_steps,
)
from apps.ar.reminders.send import REMINDER_EMAIL_SEND, email_claim
from apps.ar.reminders.sequences import (
    OWN_SEQUENCE_MODES,
    ReminderError,
    habit_shift,
    scheduled_offsets,
    sequence_default,
)
from apps.ar.services import _lock
from apps.core.dates import business_now, local_today
from apps.core.enqueue import enqueue
from apps.core.errors import Conflict
from apps.core.tenant import current_business


def next_step(invoice: Invoice, shift: int = 0) -> PlannedItem | None:
    """The latest step already due and not yet sent, else the first one still to come; never
    a step before one that already went."""
    row = CustomerReminders.objects.filter(customer_id=invoice.customer_id).first()
    seq = row.sequence if row and row.mode in OWN_SEQUENCE_MODES and row.sequence else \
        sequence_default()
    steps = list(seq.steps.order_by("offset_days"))
    used = used_steps([invoice.pk]).get(invoice.pk, UsedSteps())
    # The furthest step already sent, in this sequence or by its offset in another one.
    last_used = max([s.offset_days for s in steps if s.pk in used.ids] + list(used.offsets),
                    default=None)
    open_steps = [s for s in steps if last_used is None or s.offset_days > last_used]
    if not open_steps:
        return None
    today = local_today(current_business().timezone)
    due = invoice.due_date or invoice.txn_date
    sched = scheduled_offsets([s.offset_days for s in steps], shift)
    due_now = [s for s in open_steps if (today - due).days >= sched[s.offset_days]]
    step = due_now[-1] if due_now else open_steps[0]
    return PlannedItem(invoice, step, sched[step.offset_days], (today - due).days)


def invoice_remind(*, actor: Any, invoice: Invoice,
                   habits: Mapping[str, Habit] | None = None) -> ReminderEmail:
    """Claim a manual reminder now; it is sent after commit (a worker task)."""
    business = current_business()
    today = local_today(business.timezone)
    with transaction.atomic():
        invoice = _lock(invoice)
        membership_require(actor, business, Role.BOOKKEEPER)
        if invoice.balance <= 0:
            raise Conflict("This invoice is already paid.")
        if invoice.disputed_at is not None:
            raise Conflict("This invoice is marked disputed; clear that first.")
        if invoice.customer is None:
            raise ReminderError("This invoice has no customer.")
        row = CustomerReminders.objects.filter(customer=invoice.customer).first()
        if row is not None and row.stopped_reason:
            raise Conflict(f"Reminders to this customer stopped: {row.stopped_reason}. Fix the "
                           "billing email on the customer's page first.")
        if row is not None and row.mode in (row.Mode.PAUSED, row.Mode.NEVER):
            raise Conflict(f"Reminders to this customer are set to “{row.get_mode_display()}”; "
                           "change that on the customer's page first.")
        today_emails = {s.email for s in ReminderSend.objects.filter(
            invoice=invoice, email__day=today).select_related("email")}
        if any(e.state != ReminderEmail.State.FAILED for e in today_emails):
            raise Conflict("A reminder already went out today; one a day is plenty.")
        if today_emails:  # today's was refused by the mail provider (nothing went): again now
            refused = min(today_emails, key=lambda e: e.pk)
            # Its task sends it; the tick leaves it alone for a retry's wait (retry.py).
            ReminderEmail.objects.filter(pk=refused.pk).update(attempted_at=business_now())
            transaction.on_commit(lambda: enqueue(REMINDER_EMAIL_SEND, email_id=refused.pk))
            return refused
        habit = (habits or {}).get(invoice.customer_qbo_id)
        shift = habit_shift(habit.avg_days_late, habit.paid_count) if habit else 0
        item = next_step(invoice, shift)
        if item is None:
            raise Conflict("Every step of this customer's sequence already went out.")
        edited = {invoice.customer_id} if row and row.contacts_edited else set()
        contacts = [c for c in contacts_ensure([invoice.customer], edited)[invoice.customer_id]
                    if c.deliverable]
        if not contacts:
            raise ReminderError("This customer has no billing email we may write to; add one "
                                "on the customer's page.")
        planned = PlannedEmail(invoice.customer, [item], contacts, shift)
        email = email_claim(planned, today, manual=True, actor_email=actor.email)
        if email is None:
            raise Conflict(f"That reminder ({reminder_key(invoice.pk, item.step.pk)}) "
                           "was just sent.")
        transaction.on_commit(lambda: enqueue(REMINDER_EMAIL_SEND, email_id=email.pk))
    return email
