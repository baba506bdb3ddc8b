"""Owner side of bill documents: upload (several files, drag and drop), list, view a file.

Thin views: parse, call `apps.ap.documents.services`, render. Files are served only here
(membership checked by MembershipMiddleware through `portal_view`), never by a media URL.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from apps.accounts.models import Role
from apps.accounts.permissions import portal_view
from apps.ap.documents.checks import DocumentRefused, check_upload
from apps.ap.documents.inbound import inbound_address
from apps.ap.documents.limits import current_limits
from apps.ap.documents.models import Document, RejectedEmail
from apps.ap.documents.services import document_receive
from apps.ap.documents.serving import served_document

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg"}


def _upload(request) -> None:
    limits = current_limits()
    files = request.FILES.getlist("files")
    if getattr(request, "upload_refused", ""):  # the streaming cap stopped a file mid-way
        messages.error(request, request.upload_refused)
    if not files:
        messages.error(request, "Choose or drop at least one file.")
        return
    if len(files) > limits.max_files_per_upload:
        messages.error(request, f"At most {limits.max_files_per_upload} files at once, please.")
        return
    for upload in files:
        name = upload.name or "document"
        try:
            # Size first, from the upload's length: a 60 MB file is never read into memory.
            check_upload(name, upload.size, upload.read(1024), limits)
            upload.seek(0)
            received = document_receive(name=name, data=upload.read(), source="upload",
                                        actor=request.user)
        except DocumentRefused as exc:
            messages.error(request, str(exc))
            continue
        if received.already_had:
            messages.warning(request, f"{name}: already received as document "
                                      f"#{received.document.pk}; nothing new was added.")
        else:
            messages.success(request, f"{name}: received; we are reading it now.")


@portal_view(read=Role.VIEWER, write=Role.BOOKKEEPER)
def documents_list(request):
    if request.method == "POST":
        _upload(request)
        return redirect("documents")
    documents = Document.objects.select_related("bill", "vendor")[:200]
    return render(request, "portal/documents.html", {
        "documents": documents, "inbound_address": inbound_address(request.tenant),
        "limits": current_limits(), "rejected_emails": RejectedEmail.objects.all()[:50],
    })


@portal_view(read=Role.VIEWER)
def document_file(request, pk: int):
    document = get_object_or_404(Document, pk=pk)
    if not document.file:
        return HttpResponse(status=404)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    # Inline only for the types we checked by content (a PDF viewer or an image); sandboxed.
    return served_document(response, f"document-{document.pk}",
                           inline=document.content_type in INLINE_TYPES)


urlpatterns = [
    path("documents/", documents_list, name="documents"),
    path("documents/<int:pk>/file/", document_file, name="document-file"),
]
