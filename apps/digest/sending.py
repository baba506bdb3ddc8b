"""Sending the weekly digest: at most once per business, week and recipient.

The rule (docs/digest.md has the full argument):
1. Claim: a Redis lease lock on the key `digest:{schema}:{YYYY-Www}` keeps two workers apart;
   the DigestRun row with that unique key, taken FOR UPDATE and stamped with a lease, backs it
   if Redis forgets.
2. Build and render (nothing leaves the building yet). A crash here is retried freely.
3. Each recipient's delivery is set to `sending` and committed *before* the provider call, and
   to `sent` with the provider's id after. A retry that finds a delivery still `sending` cannot
   know whether the provider got it, so it does not send again: it reconciles (a tracking
   event for that delivery's send_id proves it was sent) or marks it `unknown` for staff, who
   may resend explicitly. We chose at-most-once: a lost digest is visible and recoverable, a
   duplicate is not.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from apps.core.clock import Clock, clock_datetime
from apps.core.dates import local_time
from apps.core.enqueue import enqueue
from apps.core.services.audit import audit_record
from apps.digest.content import digest_build, week_label, week_parse
from apps.digest.models import DigestDelivery, DigestRun
from apps.digest.render import (
    UNSUBSCRIBE_PLACEHOLDER,
    RenderedPdf,
    digest_render_html,
    digest_render_pdf,
    digest_render_text,
)
from apps.digest.schedule import (
    Recipient,
    digest_due,
    digest_key,
    digest_recipients,
    unsubscribe_url,
)
from apps.integrations.mail.delivery import OutgoingMail, fault_hook, mail_deliver_recorded
from apps.integrations.mail.tracking import deliveries_reconcile_sending
from apps.integrations.sync.locks import LeaseLock
from apps.tenancy.models import Business
from apps.tenancy.summary import summary_refresh_quietly

DIGEST_SEND = "digest.send"  # the per-business task (tasks.py) digest_dispatch sends

log = logging.getLogger(__name__)

# The summary-row source a digest event refreshes (apps/tenancy/summary.py).
SUMMARY_SOURCE = "apps.digest.selectors.digest_summary"


def lease_seconds() -> int:
    return int(os.environ.get("OODALOO_DIGEST_LEASE_SECONDS", "600"))


# Fault drill hook: with settings.FAULT_DRILLS on (test and bench settings only),
# OODALOO_DIGEST_FAULT=<point> SIGKILLs this process at that point.
_fault = fault_hook("OODALOO_DIGEST_FAULT")


@dataclass(frozen=True)
class SendReport:
    key: str
    state: str  # the run's state after this call, or "busy" when another worker holds it
    sent: int = 0
    detail: str = ""
    run_id: int | None = None


def _lock(key: str, clock: Clock | None) -> LeaseLock:
    prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', 'oodaloo')}:lock:"
    return LeaseLock(settings.REDIS_URL, key, ttl=lease_seconds(), prefix=prefix, clock=clock)


def _claim(key: str, week: str, *, late: bool, scheduled_for, actor_email: str,
           resend_of: DigestRun | None, now: datetime) -> tuple[DigestRun | None, str]:
    """Take the run for this attempt, or say why not. Runs in the business's schema."""
    try:
        with transaction.atomic():
            run, created = DigestRun.objects.select_for_update().get_or_create(
                key=key,
                defaults={"week": week, "late": late, "scheduled_for": scheduled_for,
                          "requested_by_email": actor_email, "resend_of": resend_of},
            )
            if not created:
                if run.is_final:
                    return None, f"already {run.state}"
                if run.state == DigestRun.State.UNKNOWN:
                    return None, "unknown: a send may have happened; staff must resend explicitly"
                if run.lease_until and run.lease_until > now:
                    return None, "busy: another worker holds the lease"
            run.attempts += 1
            run.lease_until = now + timedelta(seconds=lease_seconds())
            run.started_at = run.started_at or now
            run.error = ""
            if run.state == DigestRun.State.FAILED:
                run.state = DigestRun.State.BUILDING
            run.save()
            return run, "claimed"
    except IntegrityError:  # lost the insert race to another worker: it owns the week
        return None, "busy: claimed concurrently"


def _request_sync_if_stale(business: Business, content: dict) -> bool:
    """Ask for a QBO sync when the data is older than the policy allows (the digest still goes
    out now and says so: a late digest is worse than one that states its data's age)."""
    if not content["freshness"]["stale"]:
        return False
    from apps.integrations.sync.models import QboConnection
    from apps.integrations.sync.tasks import qbo_sync_business_task

    if not QboConnection.objects.filter(business=business, status="connected").exists():
        return False
    with tenant_context(business):
        qbo_sync_business_task.apply_async()
    return True


NO_LONGER_A_RECIPIENT = "no longer a recipient"


def _follow_recipients(run: DigestRun, recipients: list[Recipient]) -> None:
    """Deliveries not yet handed over follow today's recipients: a retry (of a refused or
    crashed attempt) must not mail someone removed or unsubscribed since the first attempt;
    one cancelled that way and since re-added gets it after all."""
    current = {r.email for r in recipients}
    S = DigestDelivery.State
    cancelled = (run.deliveries.filter(state__in=[S.PENDING, S.FAILED]).exclude(email__in=current)
                 .update(state=DigestDelivery.CANCELLED, error=NO_LONGER_A_RECIPIENT))
    if cancelled:
        log.info("digest %s: %d delivery(ies) cancelled, %s", run.key, cancelled,
                 NO_LONGER_A_RECIPIENT)
    run.deliveries.filter(state=DigestDelivery.CANCELLED, email__in=current).update(
        state=S.PENDING, error="")


def run_settle(run: DigestRun, now: datetime) -> None:
    # A cancelled delivery was never anyone's to send: the run is judged on the others.
    states = set(run.deliveries.exclude(state=DigestDelivery.CANCELLED)
                 .values_list("state", flat=True))
    S = DigestDelivery.State
    if not states:
        run.state = DigestRun.State.SKIPPED
    elif states == {S.SENT}:
        run.state = DigestRun.State.SENT
    elif S.SENT in states:
        run.state = DigestRun.State.PARTIAL
    elif S.UNKNOWN in states:
        run.state = DigestRun.State.UNKNOWN
    else:
        run.state = DigestRun.State.FAILED
    if run.state in (DigestRun.State.SENT, DigestRun.State.PARTIAL):
        run.sent_at = run.sent_at or now
    run.lease_until = None
    run.save()


def _send_one(business: Business, run: DigestRun, d: DigestDelivery, *, html: str, text: str,
              pdf: bytes | None, subject: str) -> None:
    recipient = Recipient(d.email, d.user_id)
    unsub = unsubscribe_url(business, recipient)
    mail = OutgoingMail(
        to=d.email, subject=subject,
        text=text.replace(UNSUBSCRIBE_PLACEHOLDER, unsub),
        html=html.replace(UNSUBSCRIBE_PLACEHOLDER, unsub),
        send_id=d.send_id,
        attachments=((f"runway-digest-{run.week}.pdf", pdf, "application/pdf"),) if pdf else (),
        headers={"List-Unsubscribe": f"<{unsub}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "X-Oodaloo-Digest": run.key},
        metadata={"schema": business.schema_name, "digest_key": run.key},
        tags=("digest",),
    )
    # `sending` is committed before the provider call: a crash below is at-most-once.
    mail_deliver_recorded(
        mail, fault=_fault,
        mark=lambda state, **fields: DigestDelivery.objects.filter(pk=d.pk).update(
            state=state, **fields))


def digest_send(
    business: Business,
    week: str | None = None,
    *,
    force: bool = False,
    late: bool = False,
    actor=None,
    now: datetime | None = None,
    scheduled_for: datetime | None = None,
    dry_run: bool = False,
    reason: str = "",
    clock: Clock | None = None,
) -> SendReport:
    """Send `week`'s digest (default: the business's current local week) once.

    `force=True` is the explicit, audited resend: a new run with key `…:resend:{n}` that goes
    out even though the week's digest was already sent (``reason``: staff's, kept in the audit).
    `clock` judges the leases (Redis lock and the run's `lease_until`); tests move it past a dead
    worker's lease instead of waiting."""
    now = now or clock_datetime(clock)
    week = week or week_label(now.astimezone(ZoneInfo(business.timezone)).date())
    week_parse(week)  # validates the format
    base_key = digest_key(business, week)
    actor_email = getattr(actor, "email", "") or (str(actor) if actor else "")
    if dry_run:
        content = digest_build(business, week, now=now)
        return SendReport(base_key, "dry-run", detail=f"{len(digest_recipients(business))} "
                          f"recipient(s); runway {content['runway']['runway_days']} days")
    with tenant_context(business):
        resend_of = None
        key = base_key
        if force:
            resend_of = DigestRun.objects.filter(key=base_key).first()
            n = DigestRun.objects.filter(key__startswith=f"{base_key}:resend:").count() + 1
            key = f"{base_key}:resend:{n}"
            audit_record(actor=actor, action="digest.resend", business=business,
                         object_type="digest.DigestRun", object_id=key,
                         after={"week": week, "of": resend_of.key if resend_of else None,
                                "reason": reason})
        lock = _lock(key, clock)
        if not lock.acquire():
            return SendReport(key, "busy", detail="another worker holds the lock")
    try:
        with tenant_context(business):
            return _send_locked(business, week, key, lock, late=late, actor_email=actor_email,
                                resend_of=resend_of, now=now, scheduled_for=scheduled_for,
                                clock=clock)
    finally:
        lock.release()
        # After a failed attempt too: staff must see a run left failed or `sending`.
        summary_refresh_quietly(business, only=(SUMMARY_SOURCE,))


def _send_locked(business, week, key, lock, *, late, actor_email, resend_of, now,
                 scheduled_for, clock) -> SendReport:
    run, why = _claim(key, week, late=late, scheduled_for=scheduled_for,
                      actor_email=actor_email, resend_of=resend_of, now=now)
    if run is None:
        existing = DigestRun.objects.filter(key=key).first()
        return SendReport(key, existing.state if existing else "busy", detail=why,
                          run_id=existing.pk if existing else None)
    try:
        if run.state == DigestRun.State.SENDING:
            deliveries_reconcile_sending(run.deliveries)
        started = time.perf_counter()
        content = run.content
        if content is None or run.state == DigestRun.State.BUILDING:
            content = digest_build(business, week, now=now)
        late = late_note(run, business.timezone)
        pdf, run.pdf_error = _pdf_or_error(run, content, late)
        html = digest_render_html(content, late=late, pdf_failed=pdf is None)
        text = digest_render_text(content, late=late, pdf_failed=pdf is None)
        render_ms = int((time.perf_counter() - started) * 1000)
        _fault("kill_after_render")
        with transaction.atomic():
            run.content = content
            run.render_ms = render_ms
            run.pdf_bytes, run.pdf_pages = (len(pdf.data), pdf.pages) if pdf else (None, None)
            run.stale = content["freshness"]["stale"]
            recipients = digest_recipients(business)
            if run.state == DigestRun.State.BUILDING:
                run.sync_requested = _request_sync_if_stale(business, content)
                for r in recipients:
                    DigestDelivery.objects.get_or_create(
                        run=run, email=r.email,
                        defaults={"user_id": r.user_id, "send_id": uuid.uuid4().hex})
            _follow_recipients(run, recipients)
            run.state = DigestRun.State.SENDING
            run.save()
        # A refused delivery (provider said no) may be retried: nothing was accepted.
        run.deliveries.filter(state=DigestDelivery.State.FAILED).update(
            state=DigestDelivery.State.PENDING)
        subject = _subject(content, run.late)
        send_started = time.perf_counter()
        sent = 0
        for d in run.deliveries.filter(state=DigestDelivery.State.PENDING):
            _send_one(business, run, d, html=html, text=text, pdf=pdf.data if pdf else None,
                      subject=subject)
            sent += DigestDelivery.objects.filter(pk=d.pk, state="sent").count()
            lock.extend()
            DigestRun.objects.filter(pk=run.pk).update(
                lease_until=clock_datetime(clock) + timedelta(seconds=lease_seconds()))
        run.send_ms = int((time.perf_counter() - send_started) * 1000)
        run_settle(run, clock_datetime(clock))
        return SendReport(key, run.state, sent=sent, run_id=run.pk)
    except Exception as exc:
        log.exception("digest %s failed", key)
        run.refresh_from_db()
        run.error = f"{type(exc).__name__}: {exc}"[:4000]
        run.lease_until = None
        if run.state == DigestRun.State.BUILDING:
            run.state = DigestRun.State.FAILED
        run.save()
        raise


def _pdf_or_error(run: DigestRun, content: dict, late: str) -> tuple[RenderedPdf | None, str]:
    """The PDF, or why it could not be made. A PDF that fails (WeasyPrint on odd content, a
    font, memory) must not hold the digest back: retried every tick, it would never go out and
    the week would be skipped. The email then goes without it and says so."""
    try:
        return digest_render_pdf(content, late=late), ""
    except Exception as exc:
        log.exception("digest %s: the PDF could not be made; sending without it", run.key)
        return None, f"{type(exc).__name__}: {exc}"[:4000]


def late_note(run: DigestRun, tz_name: str) -> str:
    """When it was due, on the business's clock (a re-read run's time is UTC)."""
    if not run.late or run.scheduled_for is None:
        return ""
    due = local_time(run.scheduled_for, tz_name)
    return f"it was due {due:%a %-d %b %H:%M} {due.tzname()}"


def _subject(content: dict, late: bool) -> str:
    days = content["runway"]["runway_days"]
    lead = f"{days} days of runway" if days else "Your runway"
    tail = " (sent late)" if late else ""
    return f"{content['business']['name']}: {lead} — week of {content['week_start']}{tail}"


def digest_dispatch(now: datetime | None = None) -> list[str]:
    """Beat's tick: enqueue one send task per due business, inside its tenant context."""
    keys = []
    for item in digest_due(now):
        with tenant_context(item.business):
            enqueue(DIGEST_SEND, week=item.week, late=item.late,
                    scheduled_for=item.scheduled_for.isoformat())
        keys.append(digest_key(item.business, item.week))
    return keys
