"""The same bytes sent twice at once (a double click, a webhook retried while the first is
still running) make one document: the second call waits for the first and returns its document.
Each call on its own thread and database connection (committed data, `transaction=True`)."""

import threading

import pytest
from django.db import connections

from tests.utils import in_tenant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("memory_broker")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% sent twice at once\n"


def test_the_same_file_twice_at_once_makes_one_document(tenant_a, settings, tmp_path,
                                                         monkeypatch):
    from django.core.files.base import ContentFile

    from apps.ap.documents import services
    from apps.ap.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    # Both calls meet after their "already have it?" look-up, had they both got that far: were
    # nothing serialising them, neither would have found the other's row. (Django's ContentFile
    # is only the meeting point; the service runs unchanged.)
    barrier = threading.Barrier(2, timeout=2)

    def meet_then_wrap(data):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass  # the other call is waiting for the first to finish: go on alone
        return ContentFile(data)

    monkeypatch.setattr(services, "ContentFile", meet_then_wrap)
    results = []

    def receive():
        try:
            with in_tenant(tenant_a):
                results.append(services.document_receive(
                    name="bill.pdf", data=PDF, source="email", sender_email="ap@vendor.test"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert len(results) == 2
        with in_tenant(tenant_a):
            [document] = Document.objects.filter(sha256=results[0].document.sha256)
        assert sorted(r.already_had for r in results) == [False, True]
        assert {r.document.pk for r in results} == {document.pk}
    finally:
        with in_tenant(tenant_a):
            Document.objects.all().delete()
