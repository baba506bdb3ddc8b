"""The daily tick and the delivery of reminder emails (docs/collections.md "Sending").

At most once, the digest's way (docs/digest.md):
1. Claim: a Redis lease lock on `remind:{schema}:{day}` keeps two workers apart; the rows back
   it if Redis forgets — one scheduled `ReminderEmail` per customer and day and one
   `ReminderSend` per `remind:{invoice}:{step}` key (unique constraints), written in one
   transaction before anything leaves.
2. Each recipient's delivery moves `pending → sending` by a conditional UPDATE (one worker wins)
   committed before the provider call, then `sent` with the provider's id. A retry (acks_late
   redelivery after a kill -9) sends every delivery still `pending`; one left `sending` is never
   handed over again: proven sent by a tracking event, else `unknown`, shown to the owner.
3. Before sending, each invoice is checked again: paid, credited, disputed or deleted since, or
   its customer held, and it is dropped (`skipped`); an email left with none is `cancelled`.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.ar.models import Invoice
from apps.ar.reminders.contacts import unsubscribe_url
from apps.ar.reminders.models import (
    CustomerReminders,
    ReminderDelivery,
    ReminderEmail,
    ReminderSend,
    ReminderTick,
)
from apps.ar.reminders.plan import Habit, PlannedEmail, reminders_plan
from apps.ar.reminders.render import owner_of, reminder_render
from apps.ar.reminders.sequences import collections_settings
from apps.core.clock import Clock
from apps.core.services.audit import audit_record
from apps.integrations.mail.delivery import (
    OutgoingMail,
    fault_hook,
    mail_deliver_recorded,
)
from apps.integrations.mail.tracking import deliveries_reconcile_sending
from apps.integrations.sync.locks import LeaseLock
from apps.tenancy.urls import business_url

REMINDER_EMAIL_SEND = "reminders.send_email"  # the task (apps/ar/tasks.py) that sends one email

log = logging.getLogger(__name__)
_fault = fault_hook("OODALOO_REMINDER_FAULT")
E, D = ReminderEmail.State, ReminderDelivery.State
OPEN_STATES = (E.PENDING, E.SENDING, E.FAILED)


def lease_seconds() -> int:
    return int(os.environ.get("OODALOO_REMINDER_LEASE_SECONDS", "600"))


def tick_key(business: Any, day: date) -> str:
    return f"remind:{business.schema_name}:{day.isoformat()}"


@dataclass
class TickReport:
    key: str
    state: str  # done, busy, off
    planned: int = 0
    sent: int = 0
    emails: list[int] = field(default_factory=list)


# --- claim -------------------------------------------------------------------------------


def email_claim(planned: PlannedEmail, day: date, *, manual: bool = False,
                actor_email: str = "") -> ReminderEmail | None:
    """Write the email, its invoice × step keys and its deliveries in one transaction.
    None when a key or the customer's day is taken (a concurrent or earlier claim)."""
    try:
        with transaction.atomic():
            email = ReminderEmail.objects.create(
                customer=planned.customer, day=day, manual=manual, total=planned.total,
                currency=planned.currency, requested_by_email=actor_email)
            ReminderSend.objects.bulk_create(
                ReminderSend(key=i.key, email=email, invoice=i.invoice, step=i.step,
                             step_offset=i.step.offset_days, scheduled_offset=i.scheduled_offset,
                             tone=i.step.tone, balance=i.invoice.balance)
                for i in planned.items)
            ReminderDelivery.objects.bulk_create(
                ReminderDelivery(email=email, contact=c, to=c.email, send_id=uuid.uuid4().hex)
                for c in planned.contacts)
    except IntegrityError:
        return None
    _fault("kill_after_claim")
    return email


# --- send --------------------------------------------------------------------------------


def _still_due(email: ReminderEmail) -> list[ReminderSend]:
    """The email's invoices that may still be reminded; the others are marked skipped."""
    row = CustomerReminders.objects.filter(customer_id=email.customer_id).first()
    held = row is not None and (row.mode in (row.Mode.PAUSED, row.Mode.NEVER)
                                or bool(row.stopped_reason))
    keep, drop = [], []
    for send in email.sends.select_related("invoice", "step").filter(
            state=ReminderSend.State.INCLUDED):
        inv = send.invoice
        ok = (not held and not inv.is_deleted and inv.balance > 0 and inv.disputed_at is None
              and send.step is not None)
        (keep if ok else drop).append(send)
    if drop:
        ReminderSend.objects.filter(pk__in=[s.pk for s in drop]).update(
            state=ReminderSend.State.SKIPPED)
    return keep


def _pdfs(business: Any, sends: list[ReminderSend]) -> tuple[tuple[str, bytes, str], ...]:
    """The invoices' PDFs from QuickBooks (our client). A PDF we can't get doesn't stop the
    reminder: the email lists every invoice and the pay link."""
    from apps.integrations.sync.connection import ConnectError, qbo_client_for

    try:
        client = qbo_client_for(business)
    except ConnectError:
        return ()
    out = []
    for send in sends:
        try:
            out.append((f"invoice-{send.invoice.doc_number or send.invoice.qbo_id}.pdf",
                        client.invoice_pdf(send.invoice.qbo_id), "application/pdf"))
        except Exception:  # noqa: BLE001 — logged; the email still goes
            log.warning("no PDF for invoice %s of %s", send.invoice.qbo_id,
                        business.schema_name, exc_info=True)
    return tuple(out)


def _finish(email: ReminderEmail, keys: list[str]) -> None:
    states = set(email.deliveries.values_list("state", flat=True))
    if states == {D.SENT}:
        email.state = E.SENT
    elif D.SENT in states:
        email.state = E.PARTIAL
    elif D.UNKNOWN in states:
        email.state = E.UNKNOWN
    else:
        email.state = E.FAILED
    if email.state in (E.SENT, E.PARTIAL):
        email.sent_at = email.sent_at or timezone.now()
        Invoice.objects.filter(reminder_sends__key__in=keys).update(
            last_reminded_at=email.sent_at)
    email.save(update_fields=["state", "sent_at"])
    audit_record(actor=email.requested_by_email or None, action=f"reminder.{email.state}",
                 obj=email, after={"day": email.day, "total": email.total, "invoices": keys})


@dataclass(frozen=True)
class SendContext:
    """What every email of one business's tick shares (read once per tick)."""

    pay_link: str
    attach_pdfs: bool
    owner_name: str
    owner_email: str
    site: str  # the business's base URL, for the unsubscribe links

    @classmethod
    def of(cls, business: Any) -> SendContext:
        conf = collections_settings()
        owner_name, owner_email = owner_of(business)
        return cls(conf.pay_link, conf.attach_pdfs, owner_name, owner_email,
                   business_url(business, ""))


def reminder_email_send(business: Any, email: ReminderEmail, *, on_progress=None,
                        ctx: SendContext | None = None) -> str:
    """Send one claimed email to each of its recipients, at most once. Returns its state."""
    if email.state == E.SENDING:
        deliveries_reconcile_sending(email.deliveries)
    email.deliveries.filter(state=D.FAILED).update(state=D.PENDING)  # refused: nothing went
    sends = _still_due(email)
    if not sends:
        email.state = E.CANCELLED
        email.save(update_fields=["state"])
        return email.state
    ctx = ctx or SendContext.of(business)
    owner_email = ctx.owner_email
    lead = max(sends, key=lambda s: (s.step_offset, s.invoice_id))
    rendered = reminder_render(
        business=business, customer_name=email.customer.display_name, step=lead.step,
        invoices=[(s.invoice, s.invoice.balance) for s in sends], day=email.day,
        pay_link=ctx.pay_link, owner_name=ctx.owner_name)
    attachments = _pdfs(business, sends) if ctx.attach_pdfs else ()
    email.subject, email.text, email.html = rendered.subject, rendered.text, rendered.html
    email.total = sum(s.invoice.balance for s in sends)
    email.state = E.SENDING
    email.save(update_fields=["subject", "text", "html", "total", "state"])
    cc_owner = any(s.step.cc_owner for s in sends) and owner_email
    for i, d in enumerate(email.deliveries.filter(state=D.PENDING).select_related("contact")):
        if not ReminderDelivery.objects.filter(pk=d.pk, state=D.PENDING).update(state=D.SENDING):
            continue  # another worker took it
        unsub = unsubscribe_url(business, d.contact, site=ctx.site) if d.contact else ""
        mine = rendered.for_recipient(unsub)
        mail = OutgoingMail(
            to=d.to, subject=mine.subject, text=mine.text, html=mine.html, send_id=d.send_id,
            attachments=attachments, from_name=business.name,
            reply_to=(owner_email,) if owner_email else (),
            cc=(owner_email,) if cc_owner and i == 0 else (),
            headers={"List-Unsubscribe": f"<{unsub}>",
                     "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                     "X-Oodaloo-Reminder": f"{business.schema_name}:{email.customer_id}:"
                                           f"{email.day.isoformat()}"},
            metadata={"schema": business.schema_name, "kind": "reminder",
                      "reminder_email": str(email.pk)},
            tags=("reminder",))
        mail_deliver_recorded(mail, fault=_fault, mark=lambda state, pk=d.pk, **f:
                              ReminderDelivery.objects.filter(pk=pk).update(state=state, **f))
        if on_progress is not None:
            on_progress()
    _finish(email, [s.key for s in sends])
    return email.state


def tick_lock(key: str, clock: Clock | None = None) -> LeaseLock:
    prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', 'oodaloo')}:lock:"
    return LeaseLock(settings.REDIS_URL, key, ttl=lease_seconds(), prefix=prefix, clock=clock)


def reminders_tick(business: Any, day: date, habits: dict[str, Habit], *,
                   clock: Clock | None = None) -> TickReport:
    """Send `day`'s reminders for one business. Safe to run any number of times. `clock`
    judges the tick's lease (None: the Redis server's time; tests jump past a dead worker's)."""
    key = tick_key(business, day)
    with tenant_context(business):
        if not collections_settings().enabled:
            return TickReport(key, "off")
        lock = tick_lock(key, clock)
        if not lock.acquire():
            return TickReport(key, "busy")
        try:
            tick, _ = ReminderTick.objects.get_or_create(day=day)
            ReminderTick.objects.filter(pk=tick.pk).update(attempts=tick.attempts + 1)
            plan = reminders_plan(day, habits)
            for planned in plan.sendable:
                email_claim(planned, day)
            report = TickReport(key, "done", planned=len(plan.sendable))
            ctx = SendContext.of(business)
            # Every unfinished email of the day: claimed now, left by a dead worker, or a
            # manual send whose task never ran (the conditional UPDATE keeps it to one send).
            for email in (ReminderEmail.objects.filter(day=day, state__in=OPEN_STATES)
                          .select_related("customer").order_by("pk")):
                state = reminder_email_send(business, email, on_progress=lock.extend, ctx=ctx)
                report.sent += state in (E.SENT, E.PARTIAL)
                report.emails.append(email.pk)
            ReminderTick.objects.filter(pk=tick.pk).update(
                finished_at=timezone.now(),
                emails=ReminderEmail.objects.filter(day=day, manual=False,
                                                    state__in=(E.SENT, E.PARTIAL)).count())
            return report
        finally:
            lock.release()


def tick_done(day: date) -> bool:
    return ReminderTick.objects.filter(day=day, finished_at__isnull=False).exists()
