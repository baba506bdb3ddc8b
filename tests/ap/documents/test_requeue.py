"""A document whose reading task was lost (never reached the broker, its worker died) is found
by the beat sweep and read; sending the same file again queues an unread one again. Tasks are
published to an in-memory broker and run here with `apply()`."""

from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.utils import timezone

from apps.ap.documents.tasks import (
    document_extract_task,
    documents_requeue_dispatch_task,
    documents_requeue_task,
)
from tests.bench.documents_corpus import corpus, render_pdf
from tests.factories import DocumentFactory
from tests.utils import in_tenant


@pytest.fixture
def published(memory_broker, settings, tmp_path):
    """(task name, schema, args) of every task published during the test."""
    settings.MEDIA_ROOT = str(tmp_path)
    sent = []

    def record(sender=None, headers=None, body=None, **_kw):
        sent.append((sender, (headers or {}).get("_schema_name"), list(body[0])))

    before_task_publish.connect(record, weak=False)
    yield sent
    before_task_publish.disconnect(record)


def _left_alone(document, minutes):
    """As if nothing had happened to the document for `minutes`."""
    from apps.ap.documents.models import Document

    Document.objects.filter(pk=document.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes))


def test_a_document_whose_reading_was_never_queued_is_swept_up_and_read(
    tenant_a, tenant_b, published, django_capture_on_commit_callbacks
):
    from apps.ap.documents.models import Document, DocumentEvent

    with in_tenant(tenant_a):
        # Stored, committed, and its task never sent (the broker was down at commit).
        lost = DocumentFactory(content=render_pdf(corpus(2)[1]))
        _left_alone(lost, 6)
        fresh = DocumentFactory(content=b"%PDF-1.4 just arrived")  # its task is on its way
    assert documents_requeue_dispatch_task.apply().get() == 1  # alpha only: beta has none
    assert published == [("ap.documents_requeue", "alpha", [])]

    with in_tenant(tenant_a):
        with django_capture_on_commit_callbacks(execute=True):
            assert documents_requeue_task.apply().get() == [lost.pk]
        assert published[1:] == [("ap.document_extract", "alpha", [lost.pk])]
        assert DocumentEvent.objects.filter(document=lost, kind="requeued").count() == 1
        # The next tick finds nothing new to queue (the document was just queued).
        assert documents_requeue_task.apply().get() == []

        assert document_extract_task.apply(args=[lost.pk]).get() in ("ready", "needs_review")
        lost.refresh_from_db()
        assert lost.state in ("ready", "needs_review") and lost.attempts == 1
        assert lost.text and lost.total is not None
        assert Document.objects.get(pk=fresh.pk).state == "received"
    assert documents_requeue_dispatch_task.apply().get() == 0


def test_a_document_left_processing_past_the_time_limit_is_queued_and_the_cap_holds(
    tenant_a, published, django_capture_on_commit_callbacks
):
    from apps.ap.documents.models import Document
    from apps.ap.documents.services import GAVE_UP

    with in_tenant(tenant_a):
        # A file that killed the worker on each of its 3 attempts, the last one long ago.
        killer = DocumentFactory(state=Document.State.PROCESSING, attempts=3)
        _left_alone(killer, 10)  # the task's hard time limit is 150 s
        reading = DocumentFactory(content=b"%PDF-1.4 being read", attempts=1,
                                  state=Document.State.PROCESSING)
        _left_alone(reading, 1)  # being read right now: left alone
        with django_capture_on_commit_callbacks(execute=True):
            assert documents_requeue_task.apply().get() == [killer.pk]
        document_extract_task.apply(args=[killer.pk]).get()
        killer.refresh_from_db()
        assert killer.state == "needs_review" and killer.review_notes[-1] == GAVE_UP
        assert killer.attempts == 3  # not read a fourth time
        assert Document.objects.get(pk=reading.pk).state == "processing"


def test_sending_the_same_file_again_queues_an_unread_document(
    tenant_a, owner_a, published, django_capture_on_commit_callbacks
):
    from apps.ap.documents.services import document_receive

    data = render_pdf(corpus(2)[1])
    with in_tenant(tenant_a):
        unread = DocumentFactory(content=data)  # stored; its task never sent
        with django_capture_on_commit_callbacks(execute=True):  # a double click's twin
            assert document_receive(name="bill.pdf", data=data, source="upload",
                                    actor=owner_a).already_had
        assert published == []  # the first's task is surely on its way
        _left_alone(unread, 1)  # the person tries again a minute later
        with django_capture_on_commit_callbacks(execute=True):
            again = document_receive(name="bill.pdf", data=data, source="upload",
                                     actor=owner_a)
        assert again.already_had and again.document.pk == unread.pk
        assert published == [("ap.document_extract", "alpha", [unread.pk])]
        document_extract_task.apply(args=[unread.pk]).get()
        unread.refresh_from_db()
        assert unread.state in ("ready", "needs_review")
        with django_capture_on_commit_callbacks(execute=True):  # read: nothing more to do
            assert document_receive(name="bill.pdf", data=data, source="upload",
                                    actor=owner_a).already_had
        assert len(published) == 1


def test_beat_sweeps_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["documents-requeue"]
    assert entry["task"] == "ap.documents_requeue_dispatch"
    assert entry["schedule"] == timedelta(minutes=5)
