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
   An email the provider refused (`failed`: nothing went) is retried by later ticks, after a
   wait, a few times, within a few days (retry.py); until then its day is not finished.
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
from django.db.models import Exists, F, Prefetch, Q
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
from apps.ar.reminders.retry import day_done as tick_done  # noqa: F401 — collections' name
from apps.ar.reminders.retry import (
    due_emails,
    expired_give_up,
    failed_reopen,
    open_emails,
)
from apps.ar.reminders.sequences import collections_settings
from apps.core.clock import Clock
from apps.core.dates import business_now
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
    state: str  # done, busy, off; paused, held (collections/services.py)
    planned: int = 0
    sent: int = 0
    emails: list[int] = field(default_factory=list)
    open: int = 0  # emails of the window still to go (refused, waiting for a retry)


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


def emails_claim(planned: list[PlannedEmail], day: date) -> None:
    """The tick's claims: every email, its keys and deliveries in one transaction (three bulk
    inserts); when a key or a customer's day is taken (a concurrent or earlier claim), each
    email is claimed on its own so the others still go."""
    if not planned:
        return
    try:
        with transaction.atomic():
            emails = ReminderEmail.objects.bulk_create(
                ReminderEmail(customer=p.customer, day=day, total=p.total, currency=p.currency)
                for p in planned)
            ReminderSend.objects.bulk_create(
                ReminderSend(key=i.key, email=email, invoice=i.invoice, step=i.step,
                             step_offset=i.step.offset_days, scheduled_offset=i.scheduled_offset,
                             tone=i.step.tone, balance=i.invoice.balance)
                for p, email in zip(planned, emails, strict=True) for i in p.items)
            ReminderDelivery.objects.bulk_create(
                ReminderDelivery(email=email, contact=c, to=c.email, send_id=uuid.uuid4().hex)
                for p, email in zip(planned, emails, strict=True) for c in p.contacts)
    except IntegrityError:
        for p in planned:
            email_claim(p, day)
        return
    _fault("kill_after_claim")


# --- send --------------------------------------------------------------------------------


def _still_due(email: ReminderEmail) -> list[ReminderSend]:
    """The email's invoices that may still be reminded; the others are marked skipped. One
    query (the customer's hold rides along as a subquery), read right before sending."""
    held = CustomerReminders.objects.filter(customer_id=email.customer_id).filter(
        Q(mode__in=(CustomerReminders.Mode.PAUSED, CustomerReminders.Mode.NEVER))
        | ~Q(stopped_reason=""))
    keep, drop = [], []
    for send in (email.sends.select_related("invoice", "step")
                 .filter(state=ReminderSend.State.INCLUDED).annotate(held=Exists(held))):
        inv = send.invoice
        ok = (not send.held and not inv.is_deleted and inv.balance > 0
              and inv.disputed_at is None and send.step is not None)
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
        except Exception as exc:  # noqa: BLE001 — logged; the email still goes
            log.warning("no PDF for invoice %s of %s", send.invoice.qbo_id,
                        business.schema_name, exc_info=True)
            if getattr(exc, "retryable", False):
                # QuickBooks is not answering and the client has retried already: each other
                # invoice would wait as long, so the email goes now without their PDFs.
                break
    return tuple(out)


def _finish_state(email: ReminderEmail, states: set[str]) -> None:
    """The email's state from its deliveries' (`states`)."""
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


def _finish(email: ReminderEmail, sends: list[ReminderSend], states: set[str],
            rendered_saved: bool) -> None:
    """Record the email's outcome; runs in the caller's transaction."""
    _finish_state(email, states)
    if email.state in (E.SENT, E.PARTIAL):
        Invoice.objects.filter(pk__in=[s.invoice_id for s in sends]).update(
            last_reminded_at=email.sent_at)
    email.save(update_fields=["state", "sent_at"] if rendered_saved else
               ["subject", "text", "html", "total", "state", "sent_at"])
    audit_record(actor=email.requested_by_email or None, action=f"reminder.{email.state}",
                 obj=email, after={"day": email.day, "total": email.total,
                                   "invoices": [s.key for s in sends]})


class Deferred:
    """Writes that wait for the next transaction: a delivery's outcome after the provider call
    (`mail_deliver_recorded`'s `mark`) and, in a tick, an email's finish. The next transaction
    — the next recipient's claim, else the end of the tick — follows at once with nothing slow
    between (the PDFs are fetched after a flush), the same window as writing each on its own;
    `sending` itself was already committed by the conditional UPDATE that won the delivery."""

    def __init__(self) -> None:
        self.writes: list[Any] = []

    def mark_for(self, pk: int):
        def mark(state: str, **fields: Any) -> None:
            if state != D.SENDING:
                self.writes.append(lambda: ReminderDelivery.objects.filter(pk=pk).update(
                    state=state, **fields))
        return mark

    def flush(self) -> None:
        """Run the waiting writes; call inside the transaction they join."""
        writes, self.writes = self.writes, []
        for write in writes:
            write()

    def commit(self) -> None:
        if self.writes:
            with transaction.atomic():
                self.flush()


@dataclass(frozen=True)
class SendContext:
    """What every email of one business's tick shares (read once per tick)."""

    pay_link: str
    attach_pdfs: bool
    owner_name: str
    owner_email: str
    site: str  # the business's base URL, for the unsubscribe links

    @classmethod
    def of(cls, business: Any, conf: Any = None) -> SendContext:
        conf = conf or collections_settings()
        owner_name, owner_email = owner_of(business)
        return cls(conf.pay_link, conf.attach_pdfs, owner_name, owner_email,
                   business_url(business, ""))


def reminder_email_send(business: Any, email: ReminderEmail, *, on_progress=None,
                        ctx: SendContext | None = None, deferred: Deferred | None = None) -> str:
    """Send one claimed email to each of its recipients, at most once. Returns its state.
    Writes: one transaction per recipient (what `deferred` holds — the previous recipient's
    outcome, the previous email's finish — and for the first the rendered email, with this
    recipient's `pending → sending` claim). Its own finish is left in `deferred` when given
    (the tick: it joins the next email's first transaction), else written at once."""
    standalone = deferred is None
    was_pending = email.state == E.PENDING
    deferred = deferred if deferred is not None else Deferred()
    if email.state == E.SENDING:
        deliveries_reconcile_sending(email.deliveries)
    if not was_pending:  # a pending email's deliveries are all pending: nothing failed
        failed_reopen(email)  # refused: nothing went
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
    if ctx.attach_pdfs:
        deferred.commit()  # fetching PDFs takes time: nothing waits behind it
    attachments = _pdfs(business, sends) if ctx.attach_pdfs else ()
    email.subject, email.text, email.html = rendered.subject, rendered.text, rendered.html
    email.total = sum(s.invoice.balance for s in sends)
    email.state = E.SENDING
    rendered_saved = False
    cc_owner = any(s.step.cc_owner for s in sends) and owner_email
    # A pending email's deliveries are as claimed (the tick prefetched them); others were just
    # reconciled or reset above: read again.
    prefetched = "deliveries" in getattr(email, "_prefetched_objects_cache", {})
    deliveries = list(email.deliveries.all() if was_pending and prefetched
                      else email.deliveries.select_related("contact").order_by("pk"))
    states = {d.state for d in deliveries if d.state != D.PENDING}
    for i, d in enumerate(d for d in deliveries if d.state == D.PENDING):
        with transaction.atomic():
            deferred.flush()
            if not rendered_saved:
                email.attempts, email.attempted_at = email.attempts + 1, business_now()
                email.save(update_fields=["subject", "text", "html", "total", "state",
                                          "attempts", "attempted_at"])
                rendered_saved = True
            won = ReminderDelivery.objects.filter(pk=d.pk, state=D.PENDING).update(
                state=D.SENDING)
        if not won:
            states.add(D.SENDING)  # another worker took it: its outcome is not ours to know
            continue
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
        states.add(mail_deliver_recorded(mail, fault=_fault, mark=deferred.mark_for(d.pk)))
        if on_progress is not None:
            on_progress()
    if D.SENDING in states:  # left by another worker: read them back
        deferred.commit()
        states = set(email.deliveries.values_list("state", flat=True))
    deferred.writes.append(lambda: _finish(email, sends, states, rendered_saved))
    if standalone:
        deferred.commit()
    else:
        _finish_state(email, states)  # the caller's count; the row is written with the next
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
        conf = collections_settings()
        if not conf.enabled:
            return TickReport(key, "off")
        lock = tick_lock(key, clock)
        if not lock.acquire():
            return TickReport(key, "busy")
        try:
            with transaction.atomic():
                tick, created = ReminderTick.objects.get_or_create(day=day,
                                                                   defaults={"attempts": 1})
                if not created:
                    ReminderTick.objects.filter(pk=tick.pk).update(attempts=F("attempts") + 1)
            plan = reminders_plan(day, habits)
            emails_claim(plan.sendable, day)
            report = TickReport(key, "done", planned=len(plan.sendable))
            ctx = SendContext.of(business, conf)
            # Every open email of the day and the few before it (retry.py): claimed now, left
            # by a dead worker, a manual send whose task never ran, or one the provider refused
            # whose wait is over (the conditional UPDATE keeps each recipient to one send).
            expired_give_up(day)
            deferred = Deferred()  # each email's finish joins the next one's first write
            try:
                for email in (due_emails(day, business_now())
                              .select_related("customer").order_by("day", "pk")
                              .prefetch_related(Prefetch(
                                  "deliveries", ReminderDelivery.objects.select_related(
                                      "contact").order_by("pk")))):
                    state = reminder_email_send(business, email, on_progress=lock.extend,
                                                ctx=ctx, deferred=deferred)
                    report.sent += state in (E.SENT, E.PARTIAL)
                    report.emails.append(email.pk)
            finally:
                deferred.commit()
            # Finished only with nothing left open in the window: a refused email waiting for
            # its retry brings the dispatcher back (reminders_due).
            report.open = open_emails(day).count()
            ReminderTick.objects.filter(pk=tick.pk).update(
                finished_at=None if report.open else timezone.now(),
                emails=ReminderEmail.objects.filter(day=day, manual=False,
                                                    state__in=(E.SENT, E.PARTIAL)).count())
            return report
        finally:
            lock.release()

