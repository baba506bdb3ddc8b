"""The Prep Tray over the API: the visible items, done / snooze / dismiss / reopen and a
refresh, through the same `apps.tray.services` calls as the portal's buttons (and the same
summary refresh afterwards)."""

from __future__ import annotations

from rest_framework import serializers

from apps.api.base import action_view, command_view, list_view, lookup
from apps.api.conventions import money
from apps.core.dates import local_today
from apps.tenancy.summary import summary_refresh_quietly
from apps.tray.models import TrayItem
from apps.tray.services import (
    tray_generate,
    tray_item_dismiss,
    tray_item_done,
    tray_item_reopen,
    tray_item_snooze,
)

TRAY_SUMMARY_SOURCE = "apps.tray.summary.tray_summary"


class TrayItemOut(serializers.ModelSerializer):
    amount = money("amount", currency_field=None, nullable=True)

    class Meta:
        model = TrayItem
        fields = ["id", "kind", "status", "title", "detail", "amount", "due_date",
                  "impact_days", "impact_sentence", "target_type", "target_id", "snoozed_until",
                  "decided_by_email", "decided_at"]


TrayListView = list_view(
    lambda r: TrayItem.objects.visible(local_today(r.business.timezone)), TrayItemOut,
    ordering=("tier", "-score", "id"),
    doc="What the tray shows today (open items, and snoozed ones whose day has come), ranked.")
_item = lookup(lambda: TrayItem.objects.all())


def _decide(decide):
    def call(request, item, **kwargs):
        item = decide(actor=request.user, item=item, **kwargs)
        summary_refresh_quietly(request.business, only=(TRAY_SUMMARY_SOURCE,))
        return item
    return call


class SnoozeIn(serializers.Serializer):
    until = serializers.DateField(help_text="ISO date after today.")


TrayDoneView = action_view(_item, _decide(tray_item_done), TrayItemOut)
TrayDismissView = action_view(_item, _decide(tray_item_dismiss), TrayItemOut)
TrayReopenView = action_view(_item, _decide(tray_item_reopen), TrayItemOut)
TraySnoozeView = action_view(_item, _decide(tray_item_snooze), TrayItemOut, body=SnoozeIn)


class RefreshOut(serializers.Serializer):
    open = serializers.IntegerField()
    created = serializers.IntegerField()
    closed = serializers.IntegerField()


def _refresh(request):
    summary = tray_generate(request.business)
    summary_refresh_quietly(request.business)
    return summary


TrayRefreshView = command_view(
    _refresh, RefreshOut, doc="Recompute the tray now (it is also refreshed after every sync).")
