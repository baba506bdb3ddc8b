"""Owner settings: QuickBooks connection summary, time zone, digest, approval limit; the
business's export and deletion (services in apps/lifecycle, shared with the API)."""

from __future__ import annotations

from datetime import time

from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Membership
from apps.accounts.permissions import portal_view
from apps.ap.documents.inbound import inbound_address
from apps.ap.documents.models import InboundSender
from apps.ap.documents.senders import inbound_senders_set
from apps.business_settings.models import BusinessSettings
from apps.business_settings.selectors import settings_get
from apps.core.dates import timezone_names
from apps.core.errors import ApplicationError
from apps.integrations.sync.models import QboConnection
from apps.lifecycle.services import (
    business_delete,
    business_export,
    business_export_filename,
)
from apps.portal.common import BadInput, action_error, parse_int, service_action
from apps.portal.services import (
    approval_limit_set,
    digest_settings_set,
    timezone_set,
)
from apps.tenancy.urls import public_url

OWNER = {"read": "owner", "write": "owner"}
COMMON_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Vancouver",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Pacific/Auckland",
]


@portal_view(**OWNER)
def settings_page(request):
    business = request.business
    zones = COMMON_ZONES + [z for z in timezone_names() if z not in COMMON_ZONES]
    return render(
        request,
        "portal/settings.html",
        {
            "settings_row": settings_get(),
            "conn": QboConnection.objects.filter(business=business).first(),
            "weekdays": BusinessSettings.Weekday.choices,
            "times": [time(h, m) for h in range(6, 20) for m in (0, 30)],
            "zones": zones,
            "members": list(
                Membership.objects.filter(business=business)
                .select_related("user")
                .order_by("user__email")
            ),
            "currency": business.currency or "USD",
            "inbound_address": inbound_address(business),
            "inbound_senders": "\n".join(
                InboundSender.objects.values_list("pattern", flat=True)),
        },
    )


def _owner_save(request, service, message, *, default_next: str = "/settings/", **given):
    """Save one setting through its service, as the owner of this business."""
    return service_action(
        request, lambda: service(actor=request.user, business=request.business, **given),
        message, default_next=default_next)


@require_POST
@portal_view(**OWNER)
def settings_digest_view(request):
    def save():
        try:
            at = time.fromisoformat(request.POST.get("time", ""))
        except ValueError:
            raise BadInput("Choose a time for the digest.")
        extras = [e for e in request.POST.get("extra", "").replace(",", "\n").splitlines()]
        members = [int(m) for m in request.POST.getlist("members") if m.isdigit()]
        digest_settings_set(
            actor=request.user,
            business=request.business,
            weekday=parse_int(request.POST.get("weekday"), label="day"),
            at=at,
            enabled=request.POST.get("enabled") == "1",
            extra_recipients=extras,
            member_ids_receiving=members,
        )

    return service_action(request, save, "Digest settings saved.",
                          default_next="/settings/#digest")


@require_POST
@portal_view(**OWNER)
def settings_approval_view(request):
    return _owner_save(
        request, approval_limit_set,
        lambda row: f"Bookkeepers may now approve bills up to {row.approval_limit:,.2f}.",
        default_next="/settings/#approval", amount=request.POST.get("approval_limit", ""))


@require_POST
@portal_view(**OWNER)
def settings_timezone_view(request):
    return _owner_save(request, timezone_set, "Time zone saved.",
                       tz_name=request.POST.get("timezone", "").strip())


@require_POST
@portal_view(**OWNER)
def settings_inbound_senders_view(request):
    return _owner_save(request, inbound_senders_set,
                       lambda patterns: f"{len(patterns)} allowed sender(s) saved.",
                       default_next="/settings/#inbound", raw=request.POST.get("senders", ""))


@require_POST
@portal_view(**OWNER)
def settings_export_view(request):
    """Everything this business holds, as a zip of CSVs with a manifest (docs/operating.md)."""
    archive, _manifest = business_export(actor=request.user, business=request.business)
    return FileResponse(archive, as_attachment=True,
                        filename=business_export_filename(request.business),
                        content_type="application/zip")


@require_POST
@portal_view(**OWNER)
def settings_delete_view(request):
    try:
        business_delete(actor=request.user, business=request.business,
                        confirm=request.POST.get("confirm", ""))
    except ApplicationError as exc:
        return action_error(request, exc)
    return redirect(public_url("/businesses/"))
