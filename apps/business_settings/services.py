"""Changing the owner's settings (approval limit, digest schedule and recipients, time zone, the
reserves step of onboarding). Shared by the portal's forms and the API (independent siblings),
so both call the same code: every change is audited and anything the runway reads bumps its
data version. Which bank accounts count as runway cash is the ledger's
(apps/ledger/services.account_include_set)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.accounts.roles import membership_require
from apps.business_settings.models import BusinessSettings
from apps.business_settings.selectors import settings_get
from apps.core.emails import emails_clean
from apps.core.errors import ApplicationError
from apps.core.money import parse_money
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed_on_commit


class SettingsError(ApplicationError):
    code = "settings_invalid"


def _snapshot(row: BusinessSettings) -> dict:
    return {
        "approval_limit": str(row.approval_limit),
        "digest_weekday": row.digest_weekday,
        "digest_time": row.digest_time.strftime("%H:%M"),
        "digest_enabled": row.digest_enabled,
        "digest_extra_recipients": list(row.digest_extra_recipients),
    }


# The checks each setter makes before it writes, callable alone: a caller changing several
# settings at once (the API's PATCH) checks every value first, so one refused value changes
# nothing.

def approval_limit_parse(amount: Any) -> Decimal:
    return (Decimal("0") if str(amount).strip() in ("", "0")
            else parse_money(amount, error=SettingsError))


def digest_check(*, weekday: int, at: time, extra_recipients: list[str]) -> list[str]:
    """The extra recipients, cleaned; refused: a day or time the digest cannot be sent at."""
    if weekday not in range(7):
        raise SettingsError("Choose a day of the week.")
    if at.minute % 15:
        raise SettingsError("Choose a time on the quarter hour (e.g. 9:00, 9:15).")
    cleaned = emails_clean(extra_recipients, SettingsError)
    if len(cleaned) > 20:
        raise SettingsError("At most 20 extra recipients.")
    return cleaned


def timezone_check(tz_name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"Unknown time zone “{tz_name}”.")


def approval_limit_set(*, actor: Any, business: Any, amount: Any) -> BusinessSettings:
    membership_require(actor, business, Role.OWNER, message="Only an owner can change this.")
    value = approval_limit_parse(amount)
    with transaction.atomic():
        row = BusinessSettings.objects.select_for_update().get(pk=settings_get().pk)
        before = _snapshot(row)
        row.approval_limit = value
        row.save(update_fields=["approval_limit", "updated_at"])
        audit_record(
            actor=actor,
            action="settings.approval_limit",
            business=business,
            obj=row,
            before={"approval_limit": before["approval_limit"]},
            after={"approval_limit": str(value)},
        )
    return row


def digest_settings_set(
    *,
    actor: Any,
    business: Any,
    weekday: int,
    at: time,
    enabled: bool,
    extra_recipients: list[str],
    member_ids_receiving: list[int] | None = None,
) -> BusinessSettings:
    """Digest day/time (business-local) and who receives it."""
    membership_require(actor, business, Role.OWNER, message="Only an owner can change this.")
    cleaned = digest_check(weekday=weekday, at=at, extra_recipients=extra_recipients)
    with transaction.atomic():
        row = BusinessSettings.objects.select_for_update().get(pk=settings_get().pk)
        before = _snapshot(row)
        row.digest_weekday, row.digest_time, row.digest_enabled = weekday, at, enabled
        row.digest_extra_recipients = cleaned
        row.digest_confirmed_at = row.digest_confirmed_at or timezone.now()
        row.save()
        if member_ids_receiving is not None:
            members = Membership.objects.filter(business=business)
            members.filter(pk__in=member_ids_receiving).update(receives_digest=True)
            members.exclude(pk__in=member_ids_receiving).update(receives_digest=False)
        audit_record(
            actor=actor,
            action="settings.digest",
            business=business,
            obj=row,
            before=before,
            after=_snapshot(row) | {"members": sorted(member_ids_receiving or [])},
        )
    return row


def digest_recipients(business: Any) -> list[str]:
    """Everyone who gets the digest: members who opted in (owners by default) + extras."""
    row = settings_get()
    emails = []
    for m in Membership.objects.filter(business=business).select_related("user"):
        wants = m.receives_digest if m.receives_digest is not None else m.role == Role.OWNER
        if wants and m.user.is_active:
            emails.append(m.user.email)
    for email in row.digest_extra_recipients:
        if email not in emails:
            emails.append(email)
    return emails


def timezone_set(*, actor: Any, business: Any, tz_name: str) -> None:
    membership_require(actor, business, Role.OWNER, message="Only an owner can change this.")
    timezone_check(tz_name)
    before = {"timezone": business.timezone}
    type(business).objects.filter(pk=business.pk).update(timezone=tz_name)
    business.timezone = tz_name
    audit_record(
        actor=actor,
        action="settings.timezone",
        business=business,
        object_type="tenancy.Business",
        object_id=str(business.pk),
        before=before,
        after={"timezone": tz_name},
    )
    data_changed_on_commit(business)  # the runway reads the time zone


def reserves_confirm(*, actor: Any, business: Any) -> None:
    """Onboarding: the owner looked at reserves (even if they chose to set none)."""
    row = settings_get()
    if row.reserves_confirmed_at is None:
        row.reserves_confirmed_at = timezone.now()
        row.save(update_fields=["reserves_confirmed_at", "updated_at"])
        audit_record(actor=actor, action="settings.reserves_confirmed", business=business, obj=row)
