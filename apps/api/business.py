"""The business itself over the API: its profile and settings (read; update with `If-Match`),
bank accounts (include/exclude from runway cash), QuickBooks sync status and "sync now", and
the owner's word on recurring payments — each through the portal's own service."""

from __future__ import annotations

from datetime import time

from django.db import transaction
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Role
from apps.accounts.permissions import can
from apps.ap.documents.models import InboundSender
from apps.ap.documents.senders import inbound_senders_parse, inbound_senders_set
from apps.api.base import action_view, list_view, locked, lookup, model_out
from apps.api.conventions import idempotent_write, tagged, validated
from apps.business_settings.selectors import settings_get
from apps.business_settings.services import (
    approval_limit_parse,
    approval_limit_set,
    digest_check,
    digest_settings_set,
    timezone_check,
    timezone_set,
)
from apps.core.activity_log import activity_filtered
from apps.core.models import AuditEvent
from apps.integrations.sync.requests import qbo_sync_request, sync_status
from apps.ledger.models import Account
from apps.ledger.services import account_include_set
from apps.lifecycle.services import business_delete, business_export, business_export_filename
from apps.runway.models import RecurringSeriesOverride
from apps.runway.services import series_override_clear, series_override_set


class SettingsOut(serializers.Serializer):
    approval_limit = serializers.DecimalField(max_digits=14, decimal_places=2)
    digest_enabled = serializers.BooleanField()
    digest_weekday = serializers.IntegerField(help_text="0 = Monday")
    digest_time = serializers.CharField(help_text="HH:MM, business-local")
    digest_extra_recipients = serializers.ListField(child=serializers.EmailField())
    inbound_senders = serializers.ListField(child=serializers.CharField())


class BusinessOut(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    currency = serializers.CharField()
    timezone = serializers.CharField()
    # As in the portal, where the settings page is the owner's: the digest's extra recipients
    # and who may email bills in are not every member's to read.
    settings = SettingsOut(allow_null=True, help_text="Owners only; null for other roles.")


def _settings_data() -> dict:
    row = settings_get()
    return {
        "approval_limit": row.approval_limit, "digest_enabled": row.digest_enabled,
        "digest_weekday": row.digest_weekday,
        "digest_time": row.digest_time.strftime("%H:%M") if row.digest_time else "",
        "digest_extra_recipients": list(row.digest_extra_recipients),
        "inbound_senders": list(InboundSender.objects.order_by("pattern")
                                .values_list("pattern", flat=True)),
    }


def _business_data(business, *, with_settings: bool = True) -> dict:
    return BusinessOut({"name": business.name, "slug": business.slug,
                        "currency": business.currency or "USD", "timezone": business.timezone,
                        "settings": _settings_data() if with_settings else None}).data


class SettingsIn(serializers.Serializer):
    approval_limit = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                              required=False)
    timezone = serializers.CharField(max_length=64, required=False)
    digest_enabled = serializers.BooleanField(required=False)
    digest_weekday = serializers.IntegerField(min_value=0, max_value=6, required=False)
    digest_time = serializers.TimeField(required=False, help_text="on the quarter hour")
    digest_extra_recipients = serializers.ListField(child=serializers.EmailField(),
                                                    max_length=20, required=False)
    inbound_senders = serializers.ListField(child=serializers.CharField(max_length=254),
                                            max_length=200, required=False)


class DeleteIn(serializers.Serializer):
    confirm = serializers.CharField(max_length=100, allow_blank=True,
                                    help_text="The business's slug, typed to confirm.")


class DeletedOut(serializers.Serializer):
    qbo_revoked = serializers.BooleanField()
    plaid_items_removed = serializers.IntegerField()
    files_removed = serializers.IntegerField()
    schema_dropped = serializers.CharField()


def _settings_apply(actor, business, given: dict) -> None:
    """The PATCH's changes, each through the portal's service: first every value through the
    services' own checks (one refused value must not leave the others applied), then the
    writes in one transaction, so a refusal left to a service (its role check) undoes them."""
    digest = None
    if {"digest_enabled", "digest_weekday", "digest_time",
            "digest_extra_recipients"} & set(given):
        row = settings_get()
        digest = {"weekday": given.get("digest_weekday", row.digest_weekday),
                  "at": given.get("digest_time", row.digest_time or time(8, 0)),
                  "enabled": given.get("digest_enabled", row.digest_enabled),
                  "extra_recipients": given.get("digest_extra_recipients",
                                                list(row.digest_extra_recipients))}
        digest_check(weekday=digest["weekday"], at=digest["at"],
                     extra_recipients=digest["extra_recipients"])
    if "approval_limit" in given:
        approval_limit_parse(given["approval_limit"])
    if "timezone" in given:
        timezone_check(given["timezone"])
    senders = "\n".join(given.get("inbound_senders", []))
    if "inbound_senders" in given:
        inbound_senders_parse(senders)
    zone = business.timezone
    try:
        with transaction.atomic():
            if "approval_limit" in given:
                approval_limit_set(actor=actor, business=business,
                                   amount=given["approval_limit"])
            if "timezone" in given:
                timezone_set(actor=actor, business=business, tz_name=given["timezone"])
            if digest is not None:
                digest_settings_set(actor=actor, business=business, **digest,
                                    member_ids_receiving=None)
            if "inbound_senders" in given:
                inbound_senders_set(actor=actor, business=business, raw=senders)
    except Exception:
        business.timezone = zone  # timezone_set sets it on the object too; the row rolled back
        raise


class BusinessView(APIView):
    """Anyone in the business reads it; owners change its settings (each change is the
    portal's settings service, audited as there)."""

    @extend_schema(responses=BusinessOut)
    def get(self, request):
        owner = can(request, Role.OWNER)
        return tagged(_business_data(request.business, with_settings=owner))

    @idempotent_write(if_match=True, request=SettingsIn, responses=BusinessOut)
    def patch(self, request):
        """All or nothing: every given value is checked before any is written, and the writes
        (with their audit entries) are one transaction. The `If-Match` is compared under the
        business's and its settings' row locks, so it still holds when the writes commit."""
        with transaction.atomic():
            business = locked(lambda: type(request.business).objects.get(
                pk=request.business.pk))
            locked(settings_get)
            data = validated(SettingsIn, request, if_match=_business_data(business))
            _settings_apply(request.user, business, data)
        request.business.timezone = business.timezone
        return tagged(_business_data(business))

    @idempotent_write(request=DeleteIn, responses={200: DeletedOut})
    def delete(self, request):
        """Delete the business, irreversibly (owners): the QuickBooks grant is revoked, every
        bank feed removed, stored files deleted, the schema dropped; one audit entry is kept.
        As in the portal, `confirm` must be the business's address (its slug)."""
        data = validated(DeleteIn, request)
        summary = business_delete(actor=request.user, business=request.business,
                                  confirm=data["confirm"])
        return Response(DeletedOut(summary).data)


class BusinessExportView(APIView):
    """Everything the business holds, as the portal's zip: a CSV per table, its documents and
    `manifest.json` (owners; audited as `business.exported`). No `Idempotency-Key`: it changes
    nothing but the audit log, and each call is a fresh archive."""

    @extend_schema(request=None, responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def post(self, request):
        archive, _manifest = business_export(actor=request.user, business=request.business)
        return FileResponse(archive, as_attachment=True,
                            filename=business_export_filename(request.business),
                            content_type="application/zip")


# --- bank accounts -----------------------------------------------------------------------------

BankAccountOut = model_out("BankAccountOut", Account, [
    "id", "qbo_id", "name", "account_type", "currency", "included_in_runway"])


class IncludeIn(serializers.Serializer):
    included = serializers.BooleanField()


_bank = lookup(lambda: Account.objects.cash())
BankAccountListView = list_view(lambda r: Account.objects.cash(), BankAccountOut,
                                ordering=("name", "id"))
BankAccountIncludeView = action_view(
    _bank, lambda r, acct, included: account_include_set(
        actor=r.user, business=r.business, account=acct, included=included),
    BankAccountOut, body=IncludeIn, doc="Count this account toward runway cash, or not (owner).")


# --- sync ----------------------------------------------------------------------------------------

class SyncStatusOut(serializers.Serializer):
    connected = serializers.BooleanField()
    company_name = serializers.CharField(allow_blank=True)
    needs_reconnect = serializers.BooleanField()
    running = serializers.BooleanField()
    failed = serializers.BooleanField()
    last_state = serializers.CharField(allow_null=True)
    last_started_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)


def _sync_data(business) -> dict:
    s = sync_status(business)
    conn, last = s["conn"], s["last"]
    return SyncStatusOut({
        "connected": conn is not None and not s["needs_reconnect"],
        "company_name": conn.company_name if conn else "",
        "needs_reconnect": s["needs_reconnect"], "running": s["running"],
        "failed": s["failed"], "last_state": last.state if last else None,
        "last_started_at": last.started_at if last else None,
        "last_success_at": s["last_ok_at"],
    }).data


class SyncView(APIView):
    @extend_schema(responses=SyncStatusOut)
    def get(self, request):
        return Response(_sync_data(request.business))

    @idempotent_write(request=None, responses={202: SyncStatusOut})
    def post(self, request):
        """Sync now (owners; at most one queued a minute, so a retry queues nothing more)."""
        qbo_sync_request(actor=request.user, business=request.business)
        return Response(_sync_data(request.business), status=202)


# --- recurring payments ------------------------------------------------------------------------

class SeriesIn(serializers.Serializer):
    key = serializers.CharField(max_length=240)
    status = serializers.ChoiceField(choices=RecurringSeriesOverride.Status.choices)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    cadence = serializers.ChoiceField(choices=RecurringSeriesOverride.Cadence.choices,
                                      required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                      required=False, allow_null=True, default=None)
    next_date = serializers.DateField(required=False, allow_null=True, default=None)


SeriesOut = model_out("SeriesOut", RecurringSeriesOverride, [
    "key", "status", "name", "cadence", "amount", "next_date", "edited_by_email", "updated_at"])


class KeyIn(serializers.Serializer):
    key = serializers.CharField(max_length=240)


class RecurringView(APIView):
    """The owner's word on detected recurring payments: confirm or dismiss a series (with
    edits), or clear it back to what the history shows."""

    @extend_schema(responses=SeriesOut(many=True))
    def get(self, request):
        return Response(SeriesOut(RecurringSeriesOverride.objects.order_by("key"),
                                  many=True).data)

    @idempotent_write(request=SeriesIn, responses={204: None})
    def post(self, request):
        data = validated(SeriesIn, request)
        series_override_set(actor=request.user, business=request.business,
                            **data)
        return Response(status=204)

    @idempotent_write(request=KeyIn, responses={204: None})
    def delete(self, request):
        data = validated(KeyIn, request)
        series_override_clear(actor=request.user, business=request.business,
                              key=data["key"])
        return Response(status=204)




# --- activity (the audit log) --------------------------------------------------------------------

class ActivityOut(serializers.ModelSerializer):
    before = serializers.DictField(allow_null=True)
    after = serializers.DictField(allow_null=True)
    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor_label", "action", "object_type", "object_id",
                  "before", "after"]


ActivityListView = list_view(
    lambda r: activity_filtered(r.business, r.query_params), ActivityOut,
    ordering=("-created_at", "-id"),
    parameters=[OpenApiParameter("action", str, description="actions starting with this")],
    doc="Who did what, when (bookkeepers and owners).")
