"""Documents (bill files: upload, list, status) over the API — the portal's intake checks and
services. (Digests over the API live in apps/digest/api.py: api and digest are siblings.)"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from apps.ap.documents.checks import DocumentRefused, check_upload
from apps.ap.documents.limits import current_limits
from apps.ap.documents.models import Document
from apps.ap.documents.services import document_receive
from apps.api.base import detail_view, list_view, lookup
from apps.api.conventions import idempotent_write
from apps.core.errors import ApplicationError


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

    @idempotent_write(request={"multipart/form-data": UploadIn},
                      responses={201: DocumentOut, 200: DocumentOut})
    def post(self, request):
        """Upload one bill file (PDF or image); the same bytes again return the same document
        (status 200). It is read in the background: poll its `state`."""
        upload = request.FILES.get("file")
        if refused := getattr(request, "upload_refused", ""):
            # A body without Content-Length, stopped while streaming (apps/core/uploads.py).
            raise ApplicationError(refused, code="too_large", status=413)
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
