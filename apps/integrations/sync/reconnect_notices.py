"""Ask the owner to reconnect QuickBooks before the refresh token dies, not after (DESIGN §3).

Intuit's refresh tokens have a rolling expiry and a hard one (5 years, qbo-api-facts §9); the
connection keeps the earlier of the two in `refresh_expires_at`. The Prep Tray shows a
reconnect item from 14 days before (apps/tray/services.py); this sends each owner one email
14 days before and one 3 days before — once each per expiry, recorded on the connection, so a
daily tick (or a retry) never sends twice and a reconnect (new expiry) starts over.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.integrations.mail.delivery import OutgoingMail, mail_send
from apps.integrations.sync.models import QboConnection
from apps.tenancy.urls import business_url

log = logging.getLogger(__name__)
NOTICE_DAYS = (14, 3)  # days before the refresh token's expiry


def notice_due(conn: QboConnection, now: datetime) -> int | None:
    """The notice (14 or 3) this connection should get now, if any not yet sent."""
    if conn.status == QboConnection.Status.DISCONNECTED or conn.refresh_expires_at is None:
        return None
    left = conn.refresh_expires_at - now
    if left <= timedelta(0):
        return None  # already dead: the tray and the connection page say "reconnect"
    expiry = conn.refresh_expires_at.isoformat()
    due = [d for d in NOTICE_DAYS if left <= timedelta(days=d)]
    if not due:
        return None
    days = min(due)  # the most urgent that applies; an older one is not sent late
    return None if (conn.reconnect_notices or {}).get(str(days)) == expiry else days


def _mail(conn: QboConnection, to: str, days: int) -> OutgoingMail:
    business = conn.business
    when = timezone.localtime(conn.refresh_expires_at).strftime("%B %-d, %Y")
    url = business_url(business, "/connect/qbo/")
    text = (
        f"QuickBooks will stop sharing {business.name}'s books with Oodaloo on {when} unless "
        f"you reconnect. It takes one click and a QuickBooks sign-in:\n\n{url}\n\n"
        "Until then everything keeps updating as usual."
    )
    return OutgoingMail(
        to=to,
        subject=f"Reconnect QuickBooks before {when} ({days} days left)",
        text=text,
        html=f"<p>{text.split(chr(10))[0]}</p><p><a href=\"{url}\">Reconnect to QuickBooks"
             f"</a></p><p>Until then everything keeps updating as usual.</p>",
        send_id=f"qbo-reconnect-{conn.pk}-{days}-{int(conn.refresh_expires_at.timestamp())}",
        tags=("qbo-reconnect",),
    )


def reconnect_notice_send(conn: QboConnection, now: datetime | None = None) -> int:
    """Send this connection's due notice to every owner; returns the number of emails."""
    now = now or timezone.now()
    with transaction.atomic():
        conn = QboConnection.objects.select_for_update(of=("self",)).select_related("business").get(
            pk=conn.pk
        )
        days = notice_due(conn, now)
        if days is None:
            return 0
        owners = list(Membership.objects.filter(business=conn.business, role=Role.OWNER)
                      .select_related("user").order_by("pk"))
        # Recorded first: a crash after some sends must not mail the others twice on retry.
        conn.reconnect_notices = {**(conn.reconnect_notices or {}),
                                  str(days): conn.refresh_expires_at.isoformat()}
        conn.save(update_fields=["reconnect_notices"])
    sent = 0
    for membership in owners:
        try:
            mail_send(_mail(conn, membership.user.email, days))
            sent += 1
        except Exception:  # one refused address must not stop the others
            log.exception("reconnect notice to %s failed", membership.user.email)
    return sent


def reconnect_notices_dispatch(now: datetime | None = None) -> int:
    """Daily: every connection whose refresh token dies within 14 days."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(NOTICE_DAYS))
    conns = QboConnection.objects.exclude(status=QboConnection.Status.DISCONNECTED).filter(
        refresh_expires_at__lte=horizon, refresh_expires_at__gt=now
    )
    return sum(reconnect_notice_send(conn, now) for conn in conns)


def reconnect_link_send(conn: QboConnection, now: datetime | None = None) -> int:
    """Staff's "email the owner a reconnect link", at any time (an expired or disconnected
    connection included): the same mail as the notices, outside their schedule."""
    now = now or timezone.now()
    conn = QboConnection.objects.select_related("business").get(pk=conn.pk)
    expires = conn.refresh_expires_at
    if expires is None or expires <= now:
        expires = now  # already dead: "reconnect before today" still carries the link
    days = max(0, (expires - now).days)
    mail_conn = QboConnection(pk=conn.pk, business=conn.business, refresh_expires_at=expires)
    sent = 0
    for membership in (Membership.objects.filter(business=conn.business, role=Role.OWNER)
                       .select_related("user").order_by("pk")):
        mail = _mail(mail_conn, membership.user.email, days)
        mail_send(replace(mail, send_id=f"{mail.send_id}-staff-{int(now.timestamp())}"))
        sent += 1
    return sent
