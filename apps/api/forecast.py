"""Runway and forecast over the API: today's runway or as of a past date, a scenario (a list of
decisions → the forecast as if they were made; nothing is saved), the weekly forecast snapshots
and their accuracy, and AR/AP aging. All from `apps.runway.services`, like the portal."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ap.models import Bill
from apps.api.base import list_view
from apps.api.conventions import validated
from apps.ar.models import Invoice
from apps.core.dates import local_today
from apps.core.errors import ApplicationError
from apps.runway.engine import (
    CollectInvoice,
    DecisionError,
    ExpectInvoice,
    PayBillNow,
    ScheduleBill,
)
from apps.runway.models import ForecastSnapshot
from apps.runway.services import forecast_accuracy_for, runway_json

HISTORY_DAYS = 2 * 366  # how far back "as of" may go (the burn window needs books before it)


def _as_of(request):
    raw = request.query_params.get("as_of")
    today = local_today(request.business.timezone)
    if not raw:
        return None
    field = serializers.DateField()
    try:
        day = field.to_internal_value(raw)
    except serializers.ValidationError as exc:
        raise ApplicationError("`as_of` must be an ISO date.", code="invalid_filter") from exc
    if day > today or day < today - timedelta(days=HISTORY_DAYS):
        raise ApplicationError("`as_of` must be a day in the last two years, not the future.",
                               code="invalid_filter")
    return day


AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE,
                         description="Compute as of this past day (default: today).")


class RunwayView(APIView):
    """The runway, forecast weeks and aging (DESIGN §4 JSON; amounts as decimal strings)."""

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[AS_OF])
    def get(self, request):
        return Response(runway_json(request.business, as_of=_as_of(request)))


class AgingView(APIView):
    """AR and AP aging buckets (open balances by days past due)."""

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[AS_OF])
    def get(self, request):
        data = runway_json(request.business, as_of=_as_of(request))
        return Response({"as_of": data["as_of"], "currency": data["currency"],
                         "ar": data["ar_aging"], "ap": data["ap_aging"]})


class DecisionIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=["pay_bill", "schedule_bill", "collect_invoice",
                                            "expect_invoice"])
    id = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                  help_text="The bill's or invoice's id.")
    on = serializers.DateField(required=False, allow_null=True,
                               help_text="schedule_bill / expect_invoice: the day (null: back "
                                         "to the due date / habit).")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                      min_value=0, help_text="pay/collect: part of the balance")


class ScenarioIn(serializers.Serializer):
    decisions = DecisionIn(many=True, max_length=50)


def _decision(request, row, today):
    kind, pk = row["type"], row["id"]
    if kind.endswith("_bill"):
        get_object_or_404(Bill.objects.live(), pk=pk)  # another business's id: 404
    else:
        get_object_or_404(Invoice.objects.live(), pk=pk)
    on = row.get("on")
    if on is not None and on < today:
        raise ApplicationError("A scenario's dates can't be in the past.", code="invalid")
    if kind == "pay_bill":
        return PayBillNow(str(pk), row.get("amount"))
    if kind == "schedule_bill":
        return ScheduleBill(str(pk), on)
    if kind == "collect_invoice":
        return CollectInvoice(str(pk), row.get("amount"))
    return ExpectInvoice(str(pk), on)


class ScenarioView(APIView):
    """What-if: the forecast as if these decisions were made. Nothing is saved, so any member
    (and a read-only key) may ask."""

    @extend_schema(request=ScenarioIn, responses=OpenApiTypes.OBJECT, examples=[OpenApiExample(
        "Pay one bill now, expect an invoice later", request_only=True, value={"decisions": [
            {"type": "pay_bill", "id": 42},
            {"type": "expect_invoice", "id": 7, "on": "2026-12-18"}]})])
    def post(self, request):
        data = validated(ScenarioIn, request)
        today = local_today(request.business.timezone)
        decisions = [_decision(request, row, today) for row in data["decisions"]]
        try:
            return Response(runway_json(request.business, as_of=today, decisions=decisions))
        except DecisionError as exc:
            raise ApplicationError(str(exc), code="invalid_decision") from exc


class WeekClose(serializers.Serializer):
    week_start = serializers.DateField()
    closing = serializers.CharField(help_text="decimal string")


class SnapshotOut(serializers.ModelSerializer):
    weeks = WeekClose(many=True)
    class Meta:
        model = ForecastSnapshot
        fields = ["id", "week_start", "as_of", "cash", "reserved", "available", "daily_burn",
                  "weeks"]


SnapshotListView = list_view(lambda r: ForecastSnapshot.objects.all(), SnapshotOut,
                             ordering=("-week_start", "id"),
                             doc="The forecast as stored each week (predicted closings).")


class LeadOut(serializers.Serializer):
    lead_weeks = serializers.IntegerField()
    count = serializers.IntegerField()
    mae = serializers.DecimalField(max_digits=16, decimal_places=2)


class AccuracyOut(serializers.Serializer):
    count = serializers.IntegerField()
    mae = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    percent = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    bias = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    by_lead = LeadOut(many=True)


class AccuracyView(APIView):
    """How past forecasts compared with what happened (mean absolute error, bias, by lead)."""

    @extend_schema(responses=AccuracyOut)
    def get(self, request):
        return Response(AccuracyOut(forecast_accuracy_for(request.business)).data)
