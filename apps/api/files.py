"""Documents (bill files: upload, list, status) and digests (history, PDF, my subscription)
over the API — the portal's intake checks and services."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ap.documents.checks import DocumentRefused, check_upload
from apps.ap.documents.limits import current_limits
from apps.ap.documents.models import Document
from apps.ap.documents.services import document_receive
from apps.api.base import detail_view, list_view, lookup
from apps.api.conventions import IDEMPOTENCY_PARAM, idempotent
from apps.core.errors import ApplicationError
from apps.digest import selectors as digest_selectors
from apps.digest.content import digest_build, week_label, week_parse
from apps.digest.render import digest_render_pdf
from apps.digest.services import digest_subscription_set, late_note


class DocumentOut(serializers.ModelSerializer):
    bill_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Document
        fields = ["id", "original_name", "content_type", "size", "source", "state",
                  "state_reason", "pages", "confidence", "bill_id", "uploaded_by_email",
                  "created_at", "updated_at"]


class UploadIn(serializers.Serializer):
    file = serializers.FileField()


class DocumentListView(list_view(lambda r: Document.objects.select_related("bill"), DocumentOut,
                                 ordering=("-created_at", "-id"))):
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": UploadIn},
                   responses={201: DocumentOut, 200: DocumentOut},
                   parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request):
        """Upload one bill file (PDF or image); the same bytes again return the same document
        (status 200). It is read in the background: poll its `state`."""
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError("Send the file as multipart field `file`.", code="invalid")
        try:
            # Size first, from the upload's length: a huge file is never read into memory.
            check_upload(upload.name or "document", upload.size, upload.read(1024),
                         current_limits())
            upload.seek(0)
            received = document_receive(name=upload.name or "document", data=upload.read(),
                                        source="upload", actor=request.user)
        except DocumentRefused as exc:
            raise ApplicationError(str(exc), code="document_refused") from exc
        status = 200 if received.already_had else 201
        return Response(DocumentOut(received.document).data, status=status)


DocumentDetailView = detail_view(lookup(lambda: Document.objects.select_related("bill")),
                                 DocumentOut, doc="A document and where its reading stands.")


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
        try:
            week_parse(week)
        except ValueError:
            raise Http404("No such week.")
        run = digest_selectors.run_for_week(week)
        if run is not None and run.content:
            content, late = run.content, late_note(run)
        elif week == week_label(digest_selectors.local_today(request.business)):
            content, late = digest_build(request.business, week), ""
        else:
            raise Http404("No digest for that week.")
        response = HttpResponse(digest_render_pdf(content, late=late).data,
                                content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="runway-digest-{week}.pdf"'
        return response


class SubscriptionIn(serializers.Serializer):
    receives = serializers.BooleanField()


class DigestSubscriptionView(APIView):
    """Your own digest subscription (any member)."""

    @extend_schema(request=SubscriptionIn, responses={204: None}, parameters=[IDEMPOTENCY_PARAM])
    @idempotent
    def post(self, request):
        data = SubscriptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        digest_subscription_set(actor=request.user, business=request.business,
                                receives=data.validated_data["receives"])
        return Response(status=204)
