"""Digests over the API (`/api/v1/digests/…`): the history with tracking counts, a week's PDF,
and the member's own subscription. Here rather than in apps/api because the digest's content
and renderer are this app's and api and digest are independent siblings; the routes are
mounted under /api/v1/ by oodaloo/urls_tenant.py and appear in the same OpenAPI schema."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Role
from apps.accounts.permissions import portal_view
from apps.digest import selectors as digest_selectors
from apps.digest.render import digest_render_pdf
from apps.digest.services import digest_subscription_set
from apps.digest.views import week_content

IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Accepted; setting a subscription is idempotent by itself.",
)


# --- digests -----------------------------------------------------------------------------------

class DigestOut(serializers.Serializer):
    week = serializers.CharField()
    state = serializers.CharField()
    late = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    recipients = serializers.IntegerField()
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    clicked = serializers.IntegerField()
    bounced = serializers.IntegerField()


class DigestListView(APIView):
    """The weekly digests sent (latest 60), with delivery tracking counts."""

    @extend_schema(responses=DigestOut(many=True))
    def get(self, request):
        return Response(DigestOut(digest_selectors.runs_with_tracking(), many=True).data)


class DigestPdfView(APIView):
    """The digest of an ISO week (`2026-W49`) as a PDF; this week's, not yet sent, is a
    preview."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, week: str):
        content, late = week_content(request, week)
        response = HttpResponse(digest_render_pdf(content, late=late).data,
                                content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="runway-digest-{week}.pdf"'
        return response


class SubscriptionIn(serializers.Serializer):
    receives = serializers.BooleanField()


class DigestSubscriptionView(APIView):
    """Your own digest subscription (any member)."""

    @extend_schema(request=SubscriptionIn, responses={204: None}, parameters=[IDEMPOTENCY_PARAM])
    def post(self, request):
        data = SubscriptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        digest_subscription_set(actor=request.user, business=request.business,
                                receives=data.validated_data["receives"])
        return Response(status=204)


urlpatterns = [
    path("", portal_view(DigestListView.as_view()), name="api-digests"),
    path("subscription/", portal_view(write=Role.VIEWER)(DigestSubscriptionView.as_view()),
         name="api-digest-subscription"),
    path("<str:week>/pdf/", portal_view(DigestPdfView.as_view()), name="api-digest-pdf"),
]
