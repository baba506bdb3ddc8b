"""The Prep Tray over the API: the visible items, and done / snooze / dismiss through the same
`apps.tray.services` decisions as the portal's buttons."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.conventions import IDEMPOTENCY_PARAM, idempotent, money, paginated
from apps.core.dates import local_today
from apps.tray.models import TrayItem
from apps.tray.services import tray_item_dismiss, tray_item_done, tray_item_snooze


class TrayItemOut(serializers.ModelSerializer):
    amount = money("amount", currency_field=None)

    class Meta:
        model = TrayItem
        fields = ["id", "kind", "status", "title", "detail", "amount", "due_date",
                  "impact_days", "impact_sentence", "target_type", "target_id", "snoozed_until",
                  "decided_by_email", "decided_at"]


class TrayListView(APIView):
    """What the tray shows today (open items, and snoozed ones whose day has come), ranked."""

    @extend_schema(responses=TrayItemOut(many=True))
    def get(self, request):
        items = TrayItem.objects.visible(local_today(request.business.timezone))
        return paginated(self, items, TrayItemOut, ordering=("tier", "-score", "id"))


class _Decision(APIView):
    decide = None

    @extend_schema(request=None, responses=TrayItemOut, parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request, pk: int):
        item = type(self).decide(actor=request.user, item=get_object_or_404(TrayItem, pk=pk))
        return Response(TrayItemOut(item).data)


class TrayDoneView(_Decision):
    decide = tray_item_done


class TrayDismissView(_Decision):
    decide = tray_item_dismiss


class SnoozeIn(serializers.Serializer):
    until = serializers.DateField(help_text="ISO date after today.")


class TraySnoozeView(APIView):
    @extend_schema(request=SnoozeIn, responses=TrayItemOut, parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request, pk: int):
        data = SnoozeIn(data=request.data)
        data.is_valid(raise_exception=True)
        item = tray_item_snooze(actor=request.user, item=get_object_or_404(TrayItem, pk=pk),
                                until=data.validated_data["until"])
        return Response(TrayItemOut(item).data)
