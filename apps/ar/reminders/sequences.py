"""Sequences and steps (owner-edited), per-customer overrides and holds, the habit shift.

The habit shift (docs/collections.md): a customer whose own history (≥ 3 fully paid invoices,
DESIGN §4) says it pays `L` days late on average gets its after-due steps `s = min(⌊L ÷ 2⌋, 7)`
days sooner. A step after due (offset ≥ 1) is scheduled at `max(offset − s, 0)` — never before
the due date — and never on or before the previous after-due step's day (it moves to the day
after). Steps before the due date are not moved. Customers with too little history (the runway's
business-median fallback) are not shifted: the median is not their habit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.roles import membership_require
from apps.ar.reminders.merge import template_errors
from apps.ar.reminders.models import (
    CollectionsSettings,
    CustomerReminders,
    ReminderSequence,
    ReminderStep,
    Tone,
)
from apps.ar.services import InvoiceError
from apps.core.services.audit import audit_record
from apps.core.tenant import current_business

Mode = CustomerReminders.Mode
# The modes that use the customer's own sequence when it has one: a hold keeps it.
OWN_SEQUENCE_MODES = (Mode.CUSTOM, Mode.PAUSED)
HABIT_SHIFT_CAP = 7
HABIT_MIN_PAID = 3  # the runway's own rule for a customer's habit (DESIGN §4)

_FRIENDLY = ("Hello {{ customer }},\n\nA friendly heads-up: the invoices below are due soon.\n\n"
             "{{ invoices_table }}\n\nTotal: {{ total }}\n\n{{ pay_link }}\n\n"
             "Thank you,\n{{ owner }}, {{ business }}")
_FIRM = ("Hello {{ customer }},\n\nOur records show these invoices are past due "
         "({{ days_overdue }} days for the oldest):\n\n{{ invoices_table }}\n\n"
         "Total due: {{ total }}\n\n{{ pay_link }}\n\nIf you have already paid, thank you — "
         "please reply so we can match it.\n\n{{ owner }}, {{ business }}")
_FINAL = ("Hello {{ customer }},\n\nThis is our final notice: the invoices below are "
          "{{ days_overdue }} days past due.\n\n{{ invoices_table }}\n\nTotal due: {{ total }}\n\n"
          "{{ pay_link }}\n\nPlease pay or reply today; I've copied myself on this email.\n\n"
          "{{ owner }}, {{ business }}")
DEFAULT_STEPS = (
    (-3, Tone.FRIENDLY, "{{ business }}: invoices due soon", _FRIENDLY, False),
    (1, Tone.FIRM, "{{ business }}: payment now due ({{ total }})", _FIRM, False),
    (7, Tone.FIRM, "{{ business }}: a week past due ({{ total }})", _FIRM, False),
    (14, Tone.FIRM, "{{ business }}: two weeks past due ({{ total }})", _FIRM, False),
    (30, Tone.FINAL, "Final notice from {{ business }}: {{ total }} past due", _FINAL, True),
)


class ReminderError(InvoiceError):
    code = "reminder_invalid"


# --- the habit shift (pure) ---------------------------------------------------------------


def habit_shift(avg_days_late: Decimal | None, paid_count: int) -> int:
    if avg_days_late is None or paid_count < HABIT_MIN_PAID or avg_days_late <= 0:
        return 0
    return min(int(Decimal(avg_days_late) // 2), HABIT_SHIFT_CAP)


def scheduled_offsets(offsets: Sequence[int], shift: int) -> dict[int, int]:
    """Each step's offset → the day (relative to due) it is sent for this customer."""
    out: dict[int, int] = {}
    previous = None
    for offset in sorted(offsets):
        if offset < 1 or shift == 0:
            out[offset] = offset
        else:
            day = max(offset - shift, 0)
            if previous is not None and day <= previous:
                day = previous + 1
            out[offset] = day
        previous = out[offset]
    return out


# --- sequences and steps -----------------------------------------------------------------


def sequence_default() -> ReminderSequence:
    """The business-wide default sequence, created with the standard steps the first time."""
    found = ReminderSequence.objects.filter(is_default=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            seq = ReminderSequence.objects.create(name="Standard", is_default=True)
            ReminderStep.objects.bulk_create(
                ReminderStep(sequence=seq, offset_days=o, tone=t, subject=s, body=b, cc_owner=cc)
                for o, t, s, b, cc in DEFAULT_STEPS)
            return seq
    except IntegrityError:  # created concurrently
        return ReminderSequence.objects.get(is_default=True)


def collections_settings() -> CollectionsSettings:
    return CollectionsSettings.objects.get_or_create(singleton=1)[0]


def step_templates_check(subject: str, body: str) -> None:
    errors = [f"Subject: {e}" for e in template_errors(subject)]
    if "invoices_table" in subject:
        errors.append("Subject: the invoices table belongs in the body.")
    errors += [f"Body: {e}" for e in template_errors(body)]
    if not subject.strip() or not body.strip():
        errors.append("A step needs a subject and a body.")
    if errors:
        raise ReminderError(" ".join(errors))


def step_save(*, actor: Any, sequence: ReminderSequence, offset_days: int, tone: str,
              subject: str, body: str, cc_owner: bool = False,
              step: ReminderStep | None = None) -> ReminderStep:
    """Create or edit a step. Refuses unknown merge fields here, never at send time."""
    business = current_business()
    membership_require(actor, business, Role.OWNER)
    if tone not in Tone.values:
        raise ReminderError(f"Unknown tone {tone!r}.")
    if not -60 <= offset_days <= 365:
        raise ReminderError("A step is between 60 days before and 365 days after the due date.")
    step_templates_check(subject, body)
    before = None
    with transaction.atomic():
        if step is None:
            step = ReminderStep(sequence=sequence)
        else:
            step = ReminderStep.objects.select_for_update().get(pk=step.pk)
            before = {"offset_days": step.offset_days, "tone": step.tone,
                      "subject": step.subject, "body": step.body, "cc_owner": step.cc_owner}
        clash = ReminderStep.objects.filter(sequence=step.sequence, offset_days=offset_days)
        if clash.exclude(pk=step.pk).exists():
            raise ReminderError("This sequence already has a step on that day.")
        step.offset_days, step.tone, step.cc_owner = offset_days, tone, cc_owner
        step.subject, step.body = subject.strip(), body.strip()
        step.save()
        audit_record(actor=actor, action="reminder.step_saved", business=business, obj=step,
                     before=before, after={"offset_days": offset_days, "tone": tone,
                                           "subject": step.subject, "body": step.body,
                                           "cc_owner": cc_owner})
    return step


def step_delete(*, actor: Any, step: ReminderStep) -> None:
    business = current_business()
    membership_require(actor, business, Role.OWNER)
    with transaction.atomic():
        audit_record(actor=actor, action="reminder.step_deleted", business=business, obj=step,
                     before={"offset_days": step.offset_days, "subject": step.subject})
        step.delete()


def settings_save(*, actor: Any, enabled: bool, pay_link: str, attach_pdfs: bool
                  ) -> CollectionsSettings:
    business = current_business()
    membership_require(actor, business, Role.OWNER)
    if pay_link and not pay_link.startswith(("https://", "http://")):
        raise ReminderError("The payment link must start with https://.")
    with transaction.atomic():
        row = CollectionsSettings.objects.select_for_update().get_or_create(singleton=1)[0]
        before = {"enabled": row.enabled, "pay_link": row.pay_link,
                  "attach_pdfs": row.attach_pdfs}
        row.enabled, row.pay_link, row.attach_pdfs = enabled, pay_link, attach_pdfs
        row.save()
        audit_record(actor=actor, action="reminder.settings", business=business, obj=row,
                     before=before, after={"enabled": enabled, "pay_link": pay_link,
                                           "attach_pdfs": attach_pdfs})
    sequence_default()
    return row


def collections_automation_set(*, actor: Any, on: bool) -> CollectionsSettings:
    """The reminders rule switched on (reminders on, sent by the automation tick through its
    guardrails) or off (reminders off). Owners only; audited."""
    business = current_business()
    membership_require(actor, business, Role.OWNER)
    with transaction.atomic():
        row = CollectionsSettings.objects.select_for_update().get_or_create(singleton=1)[0]
        before = {"enabled": row.enabled, "automated": row.automated}
        row.enabled = row.automated = on
        row.save(update_fields=["enabled", "automated"])
        audit_record(actor=actor, action="reminder.automation", business=business, obj=row,
                     before=before, after={"enabled": on, "automated": on})
    if on:
        sequence_default()
    return row


# --- per-customer overrides ---------------------------------------------------------------


def customer_settings(customer: Any) -> CustomerReminders:
    return CustomerReminders.objects.get_or_create(customer=customer)[0]


def customer_mode_set(*, actor: Any, customer: Any, mode: str,
                      sequence: ReminderSequence | None = None) -> CustomerReminders:
    """Default, another sequence, paused (held) or never. Pausing from the tray is a hold: it
    keeps the customer's sequence and remembers its mode for the release."""
    business = current_business()
    membership_require(actor, business, Role.BOOKKEEPER)
    if mode not in Mode.values:
        raise ReminderError(f"Unknown reminder setting {mode!r}.")
    if mode == Mode.CUSTOM and sequence is None:
        raise ReminderError("Choose the sequence for this customer.")
    with transaction.atomic():
        row = CustomerReminders.objects.select_for_update().get_or_create(customer=customer)[0]
        before = {"mode": row.mode, "sequence": row.sequence_id}
        paused = mode == Mode.PAUSED
        if paused:
            if row.mode != Mode.PAUSED:
                row.mode_before_hold = row.mode
        else:
            row.sequence = sequence if mode == Mode.CUSTOM else None
            row.mode_before_hold = ""
        row.mode = mode
        row.held_by_email = getattr(actor, "email", "") if paused else ""
        row.held_at = timezone.now() if paused else None
        row.save()
        audit_record(actor=actor, action="reminder.customer_mode", business=business,
                     obj=row, before=before, after={"mode": mode, "sequence": row.sequence_id})
    return row


def customer_hold(*, actor: Any, customer: Any) -> CustomerReminders:
    return customer_mode_set(actor=actor, customer=customer, mode=Mode.PAUSED)


def customer_release(*, actor: Any, customer: Any) -> CustomerReminders:
    """Back to the mode the hold interrupted, with the customer's own sequence (the default
    when that sequence was deleted meanwhile); a customer not held keeps its setting."""
    membership_require(actor, current_business(), Role.BOOKKEEPER)
    with transaction.atomic():
        row = CustomerReminders.objects.select_for_update().filter(customer=customer).first()
        mode, sequence = Mode.DEFAULT, None
        if row is not None:
            mode, sequence = row.mode, row.sequence
            if mode == Mode.PAUSED:
                mode = row.mode_before_hold or Mode.DEFAULT
            if mode == Mode.CUSTOM and sequence is None:
                mode = Mode.DEFAULT
        return customer_mode_set(actor=actor, customer=customer, mode=mode, sequence=sequence)


def sequence_create(*, actor: Any, name: str) -> ReminderSequence:
    """A new sequence, starting as a copy of the default's steps (the owner then edits it)."""
    business = current_business()
    membership_require(actor, business, Role.OWNER)
    name = name.strip()
    if not name:
        raise ReminderError("Name the sequence.")
    default = sequence_default()
    with transaction.atomic():
        if ReminderSequence.objects.filter(name__iexact=name).exists():
            raise ReminderError("A sequence with that name exists.")
        seq = ReminderSequence.objects.create(name=name[:80])
        ReminderStep.objects.bulk_create(
            ReminderStep(sequence=seq, offset_days=s.offset_days, tone=s.tone, subject=s.subject,
                         body=s.body, cc_owner=s.cc_owner) for s in default.steps.all())
        audit_record(actor=actor, action="reminder.sequence_created", business=business,
                     obj=seq, after={"name": seq.name})
    return seq


def invoice_dispute_set(*, actor: Any, invoice: Any, disputed: bool) -> Any:
    """Mark or clear "disputed": reminders skip a disputed invoice."""
    from apps.ar.services import _lock

    business = current_business()
    with transaction.atomic():
        invoice = _lock(invoice)
        membership_require(actor, business, Role.BOOKKEEPER)
        before = {"disputed_at": invoice.disputed_at}
        invoice.disputed_at = timezone.now() if disputed else None
        invoice.save(update_fields=["disputed_at"])
        audit_record(actor=actor, action="invoice.disputed" if disputed else "invoice.undisputed",
                     business=business, obj=invoice, before=before,
                     after={"disputed_at": invoice.disputed_at})
    return invoice
