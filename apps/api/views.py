"""API v1 (DRF). One view per operation with its own serializers; role checks come from the same
`portal_view` declarations as the portal (enforced by MembershipMiddleware)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import two_step
from apps.accounts.models import Membership
from apps.ap.models import Bill
from apps.api.auth import tokens_for
from apps.ar.models import Invoice
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.services.audit import audit_record
from apps.runway.services import runway_json


class Page(PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class TokenIn(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField()
    otp = serializers.CharField(required=False, help_text="the two-step code, if it is on")


class TokenOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class TokenObtainView(APIView):
    """Exchange a member's email and password for tokens bound to this business."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenIn, responses=TokenOut)
    def post(self, request):
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, email=data.validated_data["email"].lower(),
            password=data.validated_data["password"],
        )
        business = connection.tenant
        if user is None or not Membership.objects.filter(user=user, business=business).exists():
            raise PermissionDenied("Those credentials don't match a member of this business.")
        if two_step.device_for(user) is not None and two_step.code_check(
            user=user, code=data.validated_data.get("otp", "")
        ) is None:
            raise PermissionDenied("This account signs in in two steps: send its code as `otp`.")
        audit_record(actor=user, action="api.token_issued", business=business, obj=user)
        return Response(tokens_for(user, business))


class RunwayView(APIView):
    """The runway, forecast and aging (DESIGN §4 JSON)."""

    @extend_schema(responses=dict)
    def get(self, request):
        return Response(runway_json(request.business))


class BillOut(serializers.ModelSerializer):
    vendor = serializers.CharField(source="vendor.display_name", default="")

    class Meta:
        model = Bill
        fields = ["id", "qbo_id", "doc_number", "vendor", "txn_date", "due_date", "total",
                  "balance", "currency", "status", "scheduled_date"]


class BillListView(APIView):
    """Open bills by default; `?status=` filters by workflow status, `?all=1` includes paid."""

    @extend_schema(responses=BillOut(many=True))
    def get(self, request):
        bills = Bill.objects.live().select_related("vendor").order_by("due_date", "id")
        if request.query_params.get("all") != "1":
            bills = bills.filter(balance__gt=0)
        status = request.query_params.get("status")
        if status:
            if status not in Bill.Status.values:
                raise ApplicationError(f"Unknown status “{status}”.", code="invalid_filter")
            bills = bills.filter(status=status)
        paginator = Page()
        page = paginator.paginate_queryset(bills, request, view=self)
        return paginator.get_paginated_response(BillOut(page, many=True).data)


class InvoiceOut(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.display_name", default="")

    class Meta:
        model = Invoice
        fields = ["id", "qbo_id", "doc_number", "customer", "txn_date", "due_date", "total",
                  "balance", "currency", "expected_date"]


class InvoiceListView(APIView):
    """Open invoices, oldest due first."""

    @extend_schema(responses=InvoiceOut(many=True))
    def get(self, request):
        invoices = Invoice.objects.open().select_related("customer").order_by("due_date", "id")
        paginator = Page()
        page = paginator.paginate_queryset(invoices, request, view=self)
        return paginator.get_paginated_response(InvoiceOut(page, many=True).data)
