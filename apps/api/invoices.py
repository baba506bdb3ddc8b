"""Invoices over the API: list, detail, remind (the customer's next reminder step, once a day at
most) and the "expect on" date — the same services the portal calls."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.conventions import IDEMPOTENCY_PARAM, idempotent, money, paginated
from apps.ar.models import Invoice
from apps.ar.reminders.manual import invoice_remind
from apps.ar.services import invoice_expect_on
from apps.collections.services import customer_habits
from apps.core.dates import local_today
from apps.core.errors import ApplicationError

STATUS_FILTERS = ("open", "overdue", "paid", "all")


class InvoiceOut(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.display_name", default="")
    total = money("total")
    balance = money("balance")

    class Meta:
        model = Invoice
        fields = ["id", "qbo_id", "doc_number", "customer", "txn_date", "due_date", "total",
                  "balance", "expected_date", "last_reminded_at"]


class InvoiceListView(APIView):
    """Open invoices by default, oldest due first; `?status=open|overdue|paid|all`."""

    @extend_schema(responses=InvoiceOut(many=True),
                   parameters=[OpenApiParameter("status", str, enum=STATUS_FILTERS)])
    def get(self, request):
        invoices = Invoice.objects.live().select_related("customer")
        status = request.query_params.get("status", "open")
        if status not in STATUS_FILTERS:
            raise ApplicationError(f"Unknown status “{status}”.", code="invalid_filter")
        if status == "open":
            invoices = invoices.filter(balance__gt=0)
        elif status == "overdue":
            invoices = invoices.overdue(local_today(request.business.timezone))
        elif status == "paid":
            invoices = invoices.filter(balance=0)
        return paginated(self, invoices, InvoiceOut, ordering=("due_date", "id"))


def _invoice(pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.live().select_related("customer"), pk=pk)


class InvoiceDetailView(APIView):
    @extend_schema(responses=InvoiceOut)
    def get(self, request, pk: int):
        return Response(InvoiceOut(_invoice(pk)).data)


class ReminderOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    day = serializers.DateField()
    total = money("total")


class InvoiceRemindView(APIView):
    """Send the customer's next reminder step now (one a day at most; sent by a worker after
    commit) — the portal's manual reminder, with the same habit-shifted sequence."""

    @extend_schema(request=None, responses={202: ReminderOut}, parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request, pk: int):
        today = local_today(request.business.timezone)
        email = invoice_remind(actor=request.user, invoice=_invoice(pk),
                               habits=customer_habits(today))
        return Response(ReminderOut(email).data, status=202)


class ExpectIn(serializers.Serializer):
    on = serializers.DateField(allow_null=True, help_text="ISO date; null: back to the habit.")


class InvoiceExpectView(APIView):
    """Set (or clear) the date the owner expects the money; the forecast moves."""

    @extend_schema(request=ExpectIn, responses=InvoiceOut, parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request, pk: int):
        data = ExpectIn(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = invoice_expect_on(actor=request.user, invoice=_invoice(pk),
                                    on=data.validated_data["on"])
        return Response(InvoiceOut(invoice).data)
