"""The firm digest: one Monday email per firm member (with the same content as a PDF) covering
the clients they are granted, ranked like the portfolio, with each client's change since last
week from its summary row (``BusinessSummary.prior``). Rendering and delivery reuse the business
digest's machinery (apps/digest/render.py, apps/integrations/mail)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import FirmMember
from apps.digest.content import week_label
from apps.digest.render import email_html, pdf_render
from apps.firm.models import FirmDigestSend
from apps.firm.portfolio import ClientRow, portfolio_rows
from apps.integrations.mail.delivery import OutgoingMail, mail_deliver_recorded
from apps.tenancy.urls import public_url

log = logging.getLogger(__name__)
SEND_HOUR = 7  # local time of the firm, on Mondays


def _change(now, before) -> Decimal | None:
    if now is None or before in (None, ""):
        return None
    return Decimal(str(now)) - Decimal(str(before))


def _client(row: ClientRow) -> dict:
    s = row.summary
    prior = (s.prior if s else None) or {}
    return {
        "rank": row.rank, "name": row.business.name, "score": row.risk.score,
        "reasons": row.risk.reasons, "currency": s.currency if s else row.business.currency,
        "runway_days": s.runway_days if s else None,
        "runway_change": _change(s.runway_days, prior.get("runway_days")) if s else None,
        "available": s.available if s else None,
        "available_change": _change(s.available, prior.get("available")) if s else None,
        "cash_zero_week": s.cash_zero_week if s else None,
        "waiting": s.tray_waiting if s else None,
        "waiting_change": _change(s.tray_waiting, prior.get("tray_waiting")) if s else None,
    }


def firm_digest_content(member: FirmMember, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(member.firm.timezone)).date()
    rows = portfolio_rows(user=member.user, firm=member.firm, today=today)
    return {"firm": member.firm.name, "week": week_label(today), "today": today,
            "clients": [_client(r) for r in rows],
            "url": public_url(f"/firm/{member.firm.slug}/")}


def _claim(member: FirmMember, week: str) -> FirmDigestSend | None:
    """The week's row for this member, unless it was already sent (or is being sent)."""
    try:
        with transaction.atomic():
            return FirmDigestSend.objects.create(member=member, week=week)
    except IntegrityError:
        pass
    with transaction.atomic():
        row = FirmDigestSend.objects.select_for_update().get(member=member, week=week)
        if row.state != FirmDigestSend.State.FAILED:
            return None
        row.state, row.error = FirmDigestSend.State.SENDING, ""
        row.save(update_fields=["state", "error"])
        return row


def firm_digest_send(member: FirmMember, *, now: datetime | None = None) -> FirmDigestSend | None:
    """Send this week's firm digest to ``member`` once; None when it was already sent."""
    content = firm_digest_content(member, now=now)
    row = _claim(member, content["week"])
    if row is None:
        return None
    row.clients = len(content["clients"])
    if not content["clients"]:
        row.state = FirmDigestSend.State.SKIPPED
        row.save(update_fields=["state", "clients"])
        return row
    try:  # a PDF WeasyPrint cannot make must not hold the table back: it goes without it
        pdf = pdf_render(render_to_string("firm/digest_pdf.html", {"c": content})).data
        attachments = ((f"portfolio-{content['week']}.pdf", pdf, "application/pdf"),)
    except Exception as exc:
        log.exception("firm digest PDF failed for %s", member.user.email)
        pdf, attachments = b"", ()
        row.error = f"PDF not attached: {type(exc).__name__}: {exc}"[:500]
    content["pdf_attached"] = bool(attachments)
    try:
        mail = OutgoingMail(
            to=member.user.email,
            subject=f"{content['firm']}: your clients by runway risk, {content['week']}",
            text=render_to_string("firm/digest_email.txt", {"c": content}),
            html=email_html(render_to_string("firm/digest_email.html", {"c": content})),
            send_id=uuid.uuid4().hex,
            attachments=attachments,
            metadata={"kind": "firm_digest", "firm": member.firm.slug},
            tags=("firm-digest",),
        )
    except Exception as exc:  # nothing was sent: the next tick retries this member
        log.exception("firm digest failed for %s", member.user.email)
        _mark(row, FirmDigestSend.State.FAILED, error=f"{type(exc).__name__}: {exc}")
        return row
    row.pdf_bytes = len(pdf) or None
    # Once at most: a provider that gave no answer may have sent it (unknown, never resent);
    # only a refusal is failed and tried again by the next tick.
    pdf_note = row.error

    def mark(state: str, **fields) -> None:
        if pdf_note and not fields.get("error"):
            fields["error"] = pdf_note  # sent, but without its PDF: staff still see why
        _mark(row, state, **fields)

    mail_deliver_recorded(mail, mark=mark)
    return row


def _mark(row: FirmDigestSend, state: str, **fields) -> None:
    row.state = state
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields={"state", "clients", "pdf_bytes", "error", *fields})


def firm_digest_dispatch(now: datetime | None = None) -> int:
    """Hourly: on each firm's local Monday from 07:00, send every member's digest once."""
    now = now or timezone.now()
    sent = 0
    members = (FirmMember.objects.filter(receives_digest=True).select_related("firm", "user")
               .order_by("pk"))
    for member in members:
        try:  # one member's trouble never holds back the members after it
            local = now.astimezone(ZoneInfo(member.firm.timezone))
            if local.weekday() != 0 or local.hour < SEND_HOUR:
                continue
            row = firm_digest_send(member, now=now)
        except Exception:
            log.exception("firm digest for member %s", member.pk)
            continue
        sent += bool(row and row.state == FirmDigestSend.State.SENT)
    return sent
