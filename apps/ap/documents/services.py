"""Document workflow: receive → process (pipeline + duplicates); staff's approve | reject are in
`decisions.py`.

Writes only; every state change writes a `DocumentEvent` and, for people's actions, an audit
entry. Functions run inside the business's schema (tenant_context); the acting user is passed in.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.ap.documents.checks import EXTENSIONS, DocumentRefused, check_upload
from apps.ap.documents.fields import Fields
from apps.ap.documents.limits import Limits, current_limits
from apps.ap.documents.models import Document, DocumentEvent
from apps.ap.documents.pipeline import Extraction, document_extract
from apps.ap.documents.vendors import VendorChoice
from apps.ap.models import Bill, Vendor
from apps.core import hooks
from apps.core.advisory import xact_lock
from apps.core.enqueue import enqueue
from apps.core.services.audit import audit_record

DOCUMENT_EXTRACT = "ap.document_extract"  # the task (tasks.py) started by document_extract_enqueue

log = logging.getLogger(__name__)
# Listeners told when a document enters, changes in, or leaves the staff queue:
# `listener(business, document)`, plugged by apps.review in oodaloo/wiring.py (domain code
# must not import the queue app).
QUEUE_LISTENER = "documents.queue_listener"


def _queue_notify(document: Document) -> None:
    business = connection.tenant
    for listener in hooks.plugged(QUEUE_LISTENER):
        listener(business, document)


def _event(document: Document, kind: str, actor_email: str = "", **detail: Any) -> None:
    DocumentEvent.objects.create(document=document, kind=kind, actor_email=actor_email,
                                 detail=detail)


def _email_of(actor: Any) -> str:
    return getattr(actor, "email", "") or ""


# --- receive -----------------------------------------------------------------------------------


@dataclass
class Received:
    document: Document
    already_had: bool  # the same file was received before: nothing new was created


def document_receive(
    *, name: str, data: bytes, source: str, actor: Any = None, sender_email: str = "",
    subject: str = "",
) -> Received:
    """Store one incoming file and queue its extraction. Refusals raise `DocumentRefused`."""
    limits = current_limits()
    name = (name or "document").strip()[:255] or "document"
    kind = check_upload(name, len(data), data[:1024], limits)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        # The same bytes again (double submit, retried webhook): one document, not two. Two at
        # once would both find no row to lock, so they queue on the file's digest first.
        xact_lock(f"document:{connection.schema_name}:{digest}")
        existing = Document.objects.live().filter(sha256=digest).select_for_update().first()
        if existing is not None:
            if _unread_for_a_while(existing, timezone.now()):
                # Its reading may never have been queued (the broker was down at commit):
                # the person's retry queues it again rather than leave it unread.
                transaction.on_commit(lambda: document_extract_enqueue(existing), robust=True)
            return Received(existing, already_had=True)
        document = Document(
            source=source, uploaded_by_email=_email_of(actor), sender_email=sender_email[:254],
            email_subject=subject[:300], original_name=name, content_type=kind, size=len(data),
            sha256=digest,
        )
        document.file.save(f"upload.{EXTENSIONS[kind]}", ContentFile(data), save=False)
        document.save()
        _event(document, "received", _email_of(actor) or sender_email, source=source, name=name)
        if actor is not None:
            audit_record(actor=actor, action="document.upload", obj=document,
                         after={"name": name, "sha256": digest, "size": len(data)})
        # robust: a broker outage must not fail the upload that was stored (the sweep queues it)
        transaction.on_commit(lambda: document_extract_enqueue(document), robust=True)
    return Received(document, already_had=False)


def document_extract_enqueue(document: Document) -> None:
    enqueue(DOCUMENT_EXTRACT, document.pk)


# --- lost reading tasks -------------------------------------------------------------------------
# The reading task is queued once, after the commit. If that never reached the broker, or its
# worker died for good, the sweep (tasks.py, beat) queues it again: a `received` document after
# RECEIVED_GRACE, a `processing` one after the task's hard time limit (nothing can still be
# reading it). The task's claim counts attempts, so a file that keeps killing workers still ends
# with staff after MAX_ATTEMPTS.
RECEIVED_GRACE = timedelta(minutes=5)
REQUEUE_BATCH = 100
# The same file sent again queues an unread document again, unless it arrived this recently (a
# double click's twin: its task is surely on its way, a second one would only read it twice).
RESENT_GRACE = timedelta(seconds=30)


def _stalled_before(now: datetime) -> datetime:
    return now - timedelta(seconds=Limits().hard_time_limit_s + 30)


def _stalled(document: Document, now: datetime) -> bool:
    """Reading for longer than the task may run: its worker died, nothing reads it now."""
    return (document.state == Document.State.PROCESSING
            and document.updated_at < _stalled_before(now))


def _unread_for_a_while(document: Document, now: datetime) -> bool:
    return _stalled(document, now) or (document.state == Document.State.RECEIVED
                                       and document.updated_at < now - RESENT_GRACE)


def documents_lost(now: datetime | None = None) -> Any:
    now = now or timezone.now()
    return Document.objects.filter(
        Q(state=Document.State.RECEIVED, updated_at__lt=now - RECEIVED_GRACE)
        | Q(state=Document.State.PROCESSING, updated_at__lt=_stalled_before(now)))


def documents_requeue() -> list[int]:
    """Queue reading again for this business's documents whose task was lost (above). Each is
    touched (and gets a `requeued` event) as it is queued, so the next sweep leaves it alone
    for another grace period; a task that finds it read already does nothing."""
    now = timezone.now()
    with transaction.atomic():
        lost = list(documents_lost(now).order_by("created_at")
                    .select_for_update(skip_locked=True)[:REQUEUE_BATCH])
        for document in lost:
            _event(document, "requeued", state=document.state, attempts=document.attempts)
        ids = [document.pk for document in lost]
        Document.objects.filter(pk__in=ids).update(updated_at=now)
        transaction.on_commit(lambda: [enqueue(DOCUMENT_EXTRACT, pk) for pk in ids])
    return ids


# --- process -----------------------------------------------------------------------------------


def vendor_choices() -> list[VendorChoice]:
    return [
        VendorChoice(id=v.pk, qbo_id=v.qbo_id, name=v.display_name)
        for v in Vendor.objects.filter(active=True, is_deleted=False).only(
            "id", "qbo_id", "display_name")
    ]


MAX_ATTEMPTS = 3
GAVE_UP = "Automatic reading stopped after 3 attempts; please enter the fields by hand."


def _hand_to_staff(document: Document, note: str) -> None:
    """Reading failed: the locked document waits for staff to type its fields (they are told)."""
    document.state = Document.State.NEEDS_REVIEW
    document.review_notes = [*document.review_notes, note]
    document.save(update_fields=["state", "review_notes", "updated_at"])
    _event(document, "extraction_failed", note=note)
    _queue_notify(document)


def _claim_for_processing(document_id: int) -> Document | None:
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.state not in (
            Document.State.RECEIVED, Document.State.PROCESSING
        ):
            return None  # already processed (a retried task): nothing to do
        if document.attempts >= MAX_ATTEMPTS:
            # A file that killed the worker (or hit the hard limit) MAX_ATTEMPTS times.
            _hand_to_staff(document, GAVE_UP)
            return None
        document.state = Document.State.PROCESSING
        document.attempts += 1
        document.save(update_fields=["state", "attempts", "updated_at"])
    return document


def document_process(*, document_id: int) -> Document | None:
    """Run the pipeline on a received document and store the outcome. Safe to run twice."""
    document = _claim_for_processing(document_id)
    if document is None:
        return Document.objects.filter(pk=document_id).first()
    business = connection.tenant
    started = timezone.now()
    try:
        with document.file.open("rb") as handle:
            data = handle.read()
        extraction = document_extract(
            data, name=document.original_name, limits=current_limits(), vendors=vendor_choices(),
            currency=getattr(business, "currency", "USD"),
            day_first=getattr(business, "country", "US") not in ("US", "CA", "PH"),
        )
    except DocumentRefused as exc:
        return document_refuse(document, str(exc))
    except Exception as exc:  # a parser bug must not leave the document stuck
        log.exception("extraction failed for document %s", document.pk)
        return document_needs_hands(document, f"Automatic reading failed ({type(exc).__name__});"
                                              " please enter the fields by hand.")
    document.extraction_ms = int((timezone.now() - started).total_seconds() * 1000)
    return _store_extraction(document, extraction)


def _store_extraction(document: Document, extraction: Extraction) -> Document:
    fields: Fields = extraction.fields
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.state != Document.State.PROCESSING:
            return document
        document.pages = extraction.pages
        document.text = (extraction.text.text if extraction.text else "")[:200_000]
        document.text_method = extraction.text.method if extraction.text else "none"
        document.extracted = {
            **fields.as_json(),
            "vendor": {
                "value": extraction.vendor.vendor.id if extraction.vendor.vendor else None,
                "confidence": round(extraction.vendor.confidence, 2),
                "source": extraction.vendor.how,
            },
            "timings_ms": extraction.timings_ms,
        }
        document.confidence = round(extraction.confidence, 2)
        document.vendor_id = extraction.vendor.vendor.id if extraction.vendor.vendor else None
        document.vendor_name = str(fields.vendor_name.value or "")[:200]
        document.bill_number = str(fields.bill_number.value or "")[:64]
        document.bill_date = fields.bill_date.value
        document.due_date = fields.due_date.value
        document.terms_days = fields.terms.value
        total = fields.total.value
        document.total = total if total is not None and total > 0 else None
        document.currency = str(fields.currency.value or "")[:3]
        notes = list(extraction.notes)
        duplicate, why = _duplicate_find(document)
        document.duplicate_of, document.duplicate_reason = duplicate, why
        if why:
            notes.append(f"Possible duplicate: {why}.")
        document.review_notes = notes
        ready = extraction.ready and not why
        document.state = Document.State.READY if ready else Document.State.NEEDS_REVIEW
        document.save()
        _event(document, "extracted", confidence=document.confidence, state=document.state,
               notes=notes)
        _queue_notify(document)
    return document


def _duplicate_find(document: Document) -> tuple[Document | Bill | None, str]:
    """Same file, or same vendor + number, or same vendor + amount + date (documents and
    bills already in the books)."""
    others = Document.objects.live().exclude(pk=document.pk)
    same_file = others.filter(sha256=document.sha256).first()
    if same_file:
        return same_file, f"the same file as document #{same_file.pk}"
    if document.vendor_id is None:
        return None, ""
    bills = Bill.objects.live().filter(vendor_id=document.vendor_id)
    if document.bill_number:
        doc = others.filter(vendor_id=document.vendor_id,
                            bill_number__iexact=document.bill_number).first()
        if doc:
            return doc, f"document #{doc.pk} has the same vendor and number"
        bill = bills.filter(doc_number__iexact=document.bill_number).first()
        if bill:
            return None, f"bill {bill.doc_number} from this vendor is already in the books"
    if document.total and document.bill_date:
        doc = others.filter(vendor_id=document.vendor_id, total=document.total,
                            bill_date=document.bill_date).first()
        if doc:
            return doc, f"document #{doc.pk} has the same vendor, amount and date"
        bill = bills.filter(total=document.total, txn_date=document.bill_date).first()
        if bill:
            return None, (f"a bill of {bill.total} on {bill.txn_date} from this vendor is "
                          "already in the books")
    return None, ""


def document_refuse(document: Document, reason: str) -> Document:
    """The file is unusable: tell the person who sent it; it never reaches the queue."""
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(
            state=Document.State.INVALID, state_reason=reason, updated_at=timezone.now())
        document.refresh_from_db()
        _event(document, "refused", reason=reason)
    if document.source == Document.Source.EMAIL and document.sender_email:
        sender_notify(document.sender_email, f"We could not use {document.original_name}",
                      f"{reason}\n\nNothing was added to your bills.")
    return document


def document_needs_hands(document: Document, note: str) -> Document:
    """Extraction could not finish (time limit, parser error): staff type the fields."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.state not in (Document.State.RECEIVED, Document.State.PROCESSING):
            return document
        _hand_to_staff(document, note)
    return document


def sender_notify(to: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except Exception:  # a mail outage must not undo the refusal itself
        log.exception("could not notify %s", to)
