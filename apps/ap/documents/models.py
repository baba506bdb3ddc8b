"""A bill document (a PDF or image sent by upload or email) and what was read from it.

Lives in the business's schema. The staff queue (apps.review, public schema) points at it by id.
"""

from __future__ import annotations

from django.db import models

from apps.ap.documents.storage import document_upload_to, documents_storage
from apps.core.constraints import null_or_check
from apps.core.fields import MoneyField
from apps.core.history import HistoryEvent


class DocumentQuerySet(models.QuerySet):
    def in_queue(self):
        return self.filter(state__in=[Document.State.READY, Document.State.NEEDS_REVIEW])

    def unfinished(self):
        return self.filter(state__in=[Document.State.RECEIVED, Document.State.PROCESSING])

    def live(self):
        """Documents that still count for duplicate detection."""
        return self.exclude(state__in=[Document.State.INVALID, Document.State.REJECTED])


class Document(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload"
        EMAIL = "email"

    class State(models.TextChoices):
        RECEIVED = "received"
        PROCESSING = "processing", "Reading"
        READY = "ready", "Ready for review"
        NEEDS_REVIEW = "needs_review", "Needs review"
        APPROVED = "approved", "Bill created"
        REJECTED = "rejected"
        INVALID = "invalid", "Could not be used"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    uploaded_by_email = models.CharField(max_length=254, blank=True)
    sender_email = models.CharField(max_length=254, blank=True)
    email_subject = models.CharField(max_length=300, blank=True)
    original_name = models.CharField(max_length=255)
    file = models.FileField(upload_to=document_upload_to, storage=documents_storage,
                            max_length=300)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    pages = models.PositiveIntegerField(null=True, blank=True)

    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED,
                             db_index=True)
    # For the owner: why the file was refused, or why staff rejected it.
    state_reason = models.TextField(blank=True)
    review_notes = models.JSONField(default=list, blank=True)  # e.g. "OCR unavailable: ..."
    attempts = models.PositiveIntegerField(default=0)
    extraction_ms = models.PositiveIntegerField(null=True, blank=True)

    text = models.TextField(blank=True)
    text_method = models.CharField(max_length=10, blank=True)  # pdf_text | ocr | none
    extracted = models.JSONField(default=dict, blank=True)  # {field: {value, confidence, source}}
    confidence = models.FloatField(default=0)

    # Current values (extracted, then corrected by staff).
    vendor = models.ForeignKey("ap.Vendor", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="documents")
    vendor_name = models.CharField(max_length=200, blank=True)
    bill_number = models.CharField(max_length=64, blank=True)
    bill_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    terms_days = models.PositiveIntegerField(null=True, blank=True)
    total = MoneyField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)

    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    duplicate_reason = models.CharField(max_length=200, blank=True)

    bill = models.OneToOneField("ap.Bill", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="document")
    action_key = models.CharField(max_length=64, blank=True)
    reviewed_by_email = models.CharField(max_length=254, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            null_or_check("total", "gt", name="document_total_positive"),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk} {self.original_name} ({self.state})"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def can_decide(self) -> bool:
        return self.state in (self.State.READY, self.State.NEEDS_REVIEW)


class DocumentEvent(HistoryEvent):
    """Append-only history of a document (who did what), shown to staff and owner."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="events")


class InboundSender(models.Model):
    """Who may email bills to the business's address: one address (``ap@vendor.com``) or a
    whole domain (``@vendor.com``). Kept by the owner in Settings; members are always allowed."""

    pattern = models.CharField(max_length=254, unique=True)
    added_by_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pattern"]

    def __str__(self) -> str:
        return self.pattern


class RejectedEmail(models.Model):
    """An inbound email we did not accept (and did not answer): shown to the owner beside the
    documents so a real vendor can be allowed; nothing of its content is kept but these."""

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300)
    attachments = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"Rejected email from {self.sender or 'nobody'}: {self.reason}"
