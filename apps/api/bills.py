"""Bills over the API: list, detail and the workflow writes (approve, schedule, hold, release,
record a payment). Each write calls the same `apps.ap.services` function the portal's buttons
call, with the same role checks (the `portal_view` declaration in urls.py plus the service's own
guard), the same bill events and audit rows, and `Idempotency-Key` replay on top."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ap.models import Bill
from apps.ap.services import bill_approve, bill_hold, bill_pay_now, bill_release, bill_schedule
from apps.api.conventions import (
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_PARAM,
    idempotent,
    money,
    paginated,
)
from apps.business_settings.selectors import approval_limit
from apps.core.errors import ApplicationError
from apps.ledger.models import Account


class BillOut(serializers.ModelSerializer):
    vendor = serializers.CharField(source="vendor.display_name", default="")
    total = money("total")
    balance = money("balance")

    class Meta:
        model = Bill
        fields = ["id", "qbo_id", "doc_number", "vendor", "txn_date", "due_date", "total",
                  "balance", "status", "scheduled_date"]


class BillListView(APIView):
    """Open bills by default; `?status=` filters by workflow status, `?all=1` includes paid."""

    @extend_schema(responses=BillOut(many=True), parameters=[
        OpenApiParameter("status", str, enum=Bill.Status.values),
        OpenApiParameter("all", str, enum=["1"]),
    ])
    def get(self, request):
        bills = Bill.objects.live().select_related("vendor")
        if request.query_params.get("all") != "1":
            bills = bills.filter(balance__gt=0)
        status = request.query_params.get("status")
        if status:
            if status not in Bill.Status.values:
                raise ApplicationError(f"Unknown status “{status}”.", code="invalid_filter")
            bills = bills.filter(status=status)
        return paginated(self, bills, BillOut, ordering=("due_date", "id"))


def _bill(pk: int) -> Bill:
    """Another business's id is simply not in this schema: 404, like the portal."""
    return get_object_or_404(Bill.objects.live().select_related("vendor"), pk=pk)


class BillDetailView(APIView):
    @extend_schema(responses=BillOut)
    def get(self, request, pk: int):
        return Response(BillOut(_bill(pk)).data)


class BillApproveView(APIView):
    """Approve a bill (bookkeepers up to the approval limit; above it, owners)."""

    @extend_schema(request=None, responses=BillOut, parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request, pk: int):
        bill = bill_approve(actor=request.user, bill=_bill(pk), approval_limit=approval_limit())
        return Response(BillOut(bill).data)


class ScheduleIn(serializers.Serializer):
    pay_on = serializers.DateField(allow_null=True, help_text="ISO date; null clears it.")


class BillScheduleView(APIView):
    """Plan the payment date (moves the bill in the forecast; approves a new bill on the way)."""

    @extend_schema(request=ScheduleIn, responses=BillOut, parameters=[IDEMPOTENCY_PARAM],
                   examples=[OpenApiExample("Pay on a date", value={"pay_on": "2026-12-18"},
                                            request_only=True)])
    @idempotent
    def post(self, request, pk: int):
        data = ScheduleIn(data=request.data)
        data.is_valid(raise_exception=True)
        bill = bill_schedule(actor=request.user, bill=_bill(pk),
                             pay_on=data.validated_data["pay_on"], approval_limit=approval_limit())
        return Response(BillOut(bill).data)


class HoldIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class BillHoldView(APIView):
    @extend_schema(request=HoldIn, responses=BillOut, parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request, pk: int):
        data = HoldIn(data=request.data)
        data.is_valid(raise_exception=True)
        bill = bill_hold(actor=request.user, bill=_bill(pk), reason=data.validated_data["reason"])
        return Response(BillOut(bill).data)


class BillReleaseView(APIView):
    @extend_schema(request=None, responses=BillOut, parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request, pk: int):
        bill = bill_release(actor=request.user, bill=_bill(pk))
        return Response(BillOut(bill).data)


class PaymentIn(serializers.Serializer):
    account = serializers.IntegerField(help_text="A bank (cash) account id to pay from.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                      help_text="Defaults to the open balance.")


class PaymentOut(serializers.Serializer):
    key = serializers.CharField()
    state = serializers.CharField()
    amount = serializers.CharField(source="payload.amount")


class BillPaymentView(APIView):
    """Record a bill payment in QuickBooks through the outbox (sent once; no money moves).
    The `Idempotency-Key` header is required here: it is also the outbox key's seed."""

    @extend_schema(request=PaymentIn, responses={202: PaymentOut},
                   parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request, pk: int):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            raise ApplicationError("Send an Idempotency-Key header with a payment.",
                                   code="idempotency_key_required")
        data = PaymentIn(data=request.data)
        data.is_valid(raise_exception=True)
        account = Account.objects.cash().filter(pk=data.validated_data["account"]).first()
        if account is None:
            raise ApplicationError("Choose a bank account to pay from.", code="invalid_account")
        action = bill_pay_now(
            actor=request.user, bill=_bill(pk), account=account, idempotency_key=key,
            amount=data.validated_data.get("amount"), approval_limit=approval_limit(),
        )
        return Response(PaymentOut(action).data, status=202)
