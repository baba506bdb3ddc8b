"""Ask the owner to reconnect QuickBooks before the refresh token dies, not after (DESIGN §3).

Intuit's refresh tokens have a rolling expiry and a hard one (5 years, qbo-api-facts §9); the
connection keeps the earlier of the two in `refresh_expires_at`. The Prep Tray shows a
reconnect item from 14 days before (apps/tray/services.py); this sends each owner one email
14 days before and one 3 days before — once each per expiry, recorded on the connection, so a
daily tick (or a retry) never sends twice and a reconnect (new expiry) starts over.

Sending belongs to the alerts (apps/alerts, kind `qbo_reconnect`): the same email to each
owner, the owner's webhook too, and the owner's choice to turn it off. This module keeps the
rule (`notice_due`), the record (`reconnect_notice_record`) and the wording (`reconnect_mail`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.core.dates import local_time
from apps.integrations.mail.delivery import OutgoingMail, mail_send
from apps.integrations.sync.models import QboConnection
from apps.tenancy.urls import business_url

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


def reconnect_mail(conn: QboConnection, to: str, days: int) -> OutgoingMail:
    business = conn.business
    when = local_time(conn.refresh_expires_at, business.timezone).strftime("%B %-d, %Y")
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


def reconnect_notice_record(conn: QboConnection, days: int, now: datetime) -> bool:
    """Record notice `days` as sent for the connection's current expiry, inside the caller's
    transaction (the alert that carries it is claimed in the same one). False when it is no
    longer due (sent meanwhile, or the expiry changed): the caller then sends nothing."""
    locked = QboConnection.objects.select_for_update(of=("self",)).get(pk=conn.pk)
    if notice_due(locked, now) != days:
        return False
    locked.reconnect_notices = {**(locked.reconnect_notices or {}),
                                str(days): locked.refresh_expires_at.isoformat()}
    locked.save(update_fields=["reconnect_notices"])
    return True


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
        mail = reconnect_mail(mail_conn, membership.user.email, days)
        mail_send(replace(mail, send_id=f"{mail.send_id}-staff-{int(now.timestamp())}"))
        sent += 1
    return sent
