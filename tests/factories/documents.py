"""Bill documents (uploads and emails), their events, allowed senders and rejected emails
(tenant schema). The file is stored on the documents storage like a real upload."""

from __future__ import annotations

import hashlib

import factory
from django.core.files.base import ContentFile

from apps.ap.documents.models import Document, DocumentEvent, InboundSender, RejectedEmail

from .base import TenantFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class DocumentFactory(TenantFactory):
    """An uploaded PDF as received (state `received`); `content=` gives other bytes."""

    class Meta:
        model = Document

    class Params:
        content = PDF

    source = Document.Source.UPLOAD
    original_name = factory.Sequence(lambda n: f"bill-{n}.pdf")
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name=o.original_name))
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    uploaded_by_email = "owner@example.test"


class DocumentEventFactory(TenantFactory):
    class Meta:
        model = DocumentEvent

    document = factory.SubFactory(DocumentFactory)
    kind = "received"


class InboundSenderFactory(TenantFactory):
    """An address (or `@domain`) whose emailed bills are accepted."""

    class Meta:
        model = InboundSender
        django_get_or_create = ("pattern",)

    pattern = factory.Sequence(lambda n: f"@vendor{n}.test")


class RejectedEmailFactory(TenantFactory):
    class Meta:
        model = RejectedEmail

    sender = "stranger@example.test"
    reason = "sender not allowed"
