"""When and to whom the weekly digest goes: the owner's schedule (the portal's settings row),
the recipients, one-click unsubscribe, and which businesses are due now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.core import signing
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.accounts.services import membership_digest_set
from apps.business_settings.models import BusinessSettings
from apps.core.dates import week_start
from apps.core.services.audit import audit_record
from apps.digest.content import week_label, week_parse
from apps.digest.models import DigestRun
from apps.tenancy.models import Business
from apps.tenancy.urls import business_url

UNSUBSCRIBE_SALT = "digest-unsubscribe"
LATE_AFTER = timedelta(hours=1)
PREVIOUS_WEEK_GRACE = timedelta(hours=24)
DEFAULT_DAY, DEFAULT_TIME = 0, dtime(9, 0)


def digest_key(business: Business, week: str) -> str:
    return f"digest:{business.schema_name}:{week}"


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 = Monday
    at: dtime
    enabled: bool
    extra_recipients: tuple[str, ...]


def digest_schedule(business: Business) -> Schedule:
    """The owner's digest day/time/recipients from the business's settings row; defaults apply
    until the owner saves settings."""
    with tenant_context(business):
        row = BusinessSettings.objects.filter(singleton=1).first()
    if row is None:
        return Schedule(DEFAULT_DAY, DEFAULT_TIME, True, ())
    extra = tuple(str(e).strip().lower() for e in (row.digest_extra_recipients or []) if e)
    return Schedule(row.digest_weekday, row.digest_time, row.digest_enabled, extra)


def scheduled_at(business: Business, schedule: Schedule, week: str) -> datetime:
    day = week_parse(week) + timedelta(days=schedule.weekday)
    return datetime.combine(day, schedule.at, tzinfo=ZoneInfo(business.timezone))


@dataclass(frozen=True)
class Recipient:
    email: str
    user_id: int | None


def digest_recipients(business: Business) -> list[Recipient]:
    """Owners by default; any member who opted in; nobody who opted out; plus extra addresses."""
    out: dict[str, Recipient] = {}
    members = Membership.objects.filter(business=business, user__is_active=True).select_related(
        "user"
    )
    for m in members.order_by("id"):
        wants = m.receives_digest if m.receives_digest is not None else m.role == Role.OWNER
        if wants:
            out.setdefault(m.user.email.lower(), Recipient(m.user.email.lower(), m.user_id))
    for email in digest_schedule(business).extra_recipients:
        out.setdefault(email, Recipient(email, None))
    return list(out.values())


def unsubscribe_token(business: Business, recipient: Recipient) -> str:
    return signing.dumps(
        {"b": business.pk, "e": recipient.email, "u": recipient.user_id}, salt=UNSUBSCRIBE_SALT
    )


def unsubscribe_url(business: Business, recipient: Recipient) -> str:
    return business_url(business, f"/digest/unsubscribe/{unsubscribe_token(business, recipient)}/")


def digest_unsubscribe(*, business: Business, token: str) -> str:
    """One-click unsubscribe (RFC 8058): no sign-in, the signed token is the authority.
    Raises signing.BadSignature for a forged token or another business's token. Idempotent."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("b") != business.pk:
        raise signing.BadSignature("token is for another business")
    email = data["e"]
    if data.get("u"):
        membership = Membership.objects.filter(business=business, user_id=data["u"]).first()
        if membership is not None:
            membership_digest_set(actor=email, membership=membership, receives=False)
    else:
        with tenant_context(business):
            row = BusinessSettings.objects.filter(singleton=1).first()
            if row is not None and email in [e.lower() for e in row.digest_extra_recipients]:
                before = list(row.digest_extra_recipients)
                row.digest_extra_recipients = [e for e in before if e.lower() != email]
                row.save(update_fields=["digest_extra_recipients"])
                audit_record(actor=email, action="digest.unsubscribe", business=business,
                             object_type="portal.BusinessSettings", object_id=str(row.pk),
                             before={"extra": before}, after={"extra": row.digest_extra_recipients})
    return email


def digest_subscription_set(*, actor, business: Business, receives: bool) -> None:
    """A member opts in or out of the digest for themselves."""
    membership = Membership.objects.get(business=business, user=actor)
    membership_digest_set(actor=actor, membership=membership, receives=receives)


# --- the schedule -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DueDigest:
    business: Business
    week: str
    scheduled_for: datetime
    late: bool


def digest_due(now: datetime | None = None) -> list[DueDigest]:
    """Businesses whose digest for their current local week is due (its local send time has
    passed) and not yet sent, claimed or given up as unknown. Before this week's time, last
    week's is still due for `PREVIOUS_WEEK_GRACE` after its own: a late-Sunday slot would
    otherwise have only the minutes before midnight (one beat tick). A week missed beyond that
    is not back-filled: the next week's digest supersedes it."""
    now = now or timezone.now()
    due: list[DueDigest] = []
    for business in Business.objects.real().order_by("pk"):
        schedule = digest_schedule(business)
        if not schedule.enabled:
            continue
        local = now.astimezone(ZoneInfo(business.timezone))
        week = week_label(week_start(local.date()))
        at = scheduled_at(business, schedule, week)
        if now < at:
            week = week_label(week_start(local.date()) - timedelta(days=7))
            at = scheduled_at(business, schedule, week)
            if now - at > PREVIOUS_WEEK_GRACE:
                continue
        with tenant_context(business):
            run = DigestRun.objects.filter(key=digest_key(business, week)).first()
        if run is not None and (
            run.is_final
            or run.state == DigestRun.State.UNKNOWN
            or (run.lease_until is not None and run.lease_until > now)
        ):
            continue
        due.append(DueDigest(business, week, at, late=now - at > LATE_AFTER))
    return due
