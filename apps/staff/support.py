"""Support's "view as owner": a time-boxed, read-only look at a business's portal.

Staff with ``staff.view_as`` start a session from the business admin (a reason is required);
it is audited on that business (its activity page lists it) and handed to the business's host
with a one-minute, one-time signed link (cookies are per host, like the sign-in hand-off).
On that host ``SupportSessionMiddleware`` lets the staff user read as the owner would and
refuses every unsafe method (pages and API alike) until the session ends."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils import timezone

from apps.core.errors import Conflict, PermissionDenied
from apps.core.services.audit import audit_record
from apps.staff.models import SupportSession
from apps.tenancy.models import Business
from apps.tenancy.urls import business_url

SALT = "oodaloo.support"
LINK_MAX_AGE = 60
SESSION_KEY = "support_session"
END_PATH = "/auth/support/end/"  # the one POST a support session may make


def support_session_start(*, business: Business, actor, reason: str) -> SupportSession:
    if not actor.has_perm("staff.view_as"):
        raise PermissionDenied("your staff role cannot view businesses as their owner")
    reason = (reason or "").strip()
    if not reason:
        raise Conflict("say why you need to look (kept in the business's activity)")
    session = SupportSession.objects.create(
        staff=actor, business=business, reason=reason[:200],
        expires_at=timezone.now() + timedelta(minutes=settings.SUPPORT_SESSION_MINUTES))
    audit_record(actor=actor, action="staff.view_as", business=business, obj=session,
                 after={"reason": session.reason, "until": session.expires_at.isoformat()})
    return session


def support_link(session: SupportSession) -> str:
    token = signing.dumps({"s": session.pk, "n": secrets.token_hex(8)}, salt=SALT)
    return business_url(session.business, f"/auth/support/?token={token}")


def support_link_consume(*, token: str, business: Business) -> SupportSession:
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature as exc:
        raise PermissionDenied("This support link is invalid or has expired.") from exc
    session = SupportSession.objects.select_related("staff").filter(pk=data.get("s")).first()
    if session is None or session.business_id != business.pk or not session.active:
        raise PermissionDenied("This support session is over or for another business.")
    if not caches["default"].add(f"support-link:{data['n']}", 1, timeout=LINK_MAX_AGE * 2):
        raise PermissionDenied("This support link has already been used.")
    return session


def support_session_active(session_id, *, user, business: Business) -> SupportSession | None:
    session = SupportSession.objects.filter(pk=session_id, staff=user, business=business).first()
    return session if session is not None and session.active else None


def support_session_end(*, session: SupportSession, actor) -> bool:
    """End a support session now (the banner's button); False if it had already ended."""
    now = timezone.now()
    ended = SupportSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
        ended_at=now)
    if ended:
        audit_record(actor=actor, action="staff.view_as_ended", business=session.business,
                     obj=session, after={"ended_at": now.isoformat(), "by": "staff"})
    return bool(ended)
