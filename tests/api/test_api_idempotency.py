"""Exactly-once writes under one `Idempotency-Key` when requests interleave: the handler runs
once, a duplicate replays the first answer or (while the first runs) gets 409."""

import uuid
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from apps.ap.documents.models import Document
from apps.api import conventions
from apps.core.errors import Conflict
from tests.utils import client_for, in_tenant


def _request(key: str, amount: str = "100.00") -> Request:
    raw = APIRequestFactory().post("/api/v1/reserves/1/fund/", {"amount": amount},
                                   format="json", HTTP_IDEMPOTENCY_KEY=key)
    request = Request(raw, parsers=[JSONParser()])
    request.user = SimpleNamespace(pk=424242, is_authenticated=True)
    return request


def test_a_duplicate_that_read_before_the_first_stored_replays_it(monkeypatch):
    """The duplicate reads the slot (empty: the first is still running); the first then stores
    its answer and releases the lock; the duplicate takes the lock — and must not run again."""
    key, calls = f"fund-{uuid.uuid4()}", []

    def handler(view, request):
        calls.append(1)
        return Response({"funded": len(calls)}, status=201)

    wrapped = conventions.idempotent(handler)
    real_get, raced = cache.get, []

    def get(cache_key, *args, **kwargs):
        value = real_get(cache_key, *args, **kwargs)
        if cache_key.startswith("api-idem:") and not raced:
            raced.append(1)
            # Between the duplicate's read and its lock: the first request runs to the end.
            assert wrapped(None, _request(key)).status_code == 201
        return value

    monkeypatch.setattr(conventions.cache, "get", get)
    second = wrapped(None, _request(key))
    assert raced and len(calls) == 1, "the operation ran twice under one Idempotency-Key"
    assert second.status_code == 201 and second.data == {"funded": 1}
    assert second["Idempotent-Replayed"] == "true"
    # The duplicate left no lock behind: a third try replays too.
    assert wrapped(None, _request(key))["Idempotent-Replayed"] == "true"


def test_a_duplicate_while_the_first_runs_is_409_and_a_slow_handler_keeps_its_lock(monkeypatch):
    key, seen = f"fund-{uuid.uuid4()}", {}
    real_add = cache.add

    def add(cache_key, value, timeout=None, *args, **kwargs):
        seen["lock_seconds"] = timeout
        return real_add(cache_key, value, timeout, *args, **kwargs)

    def handler(view, request):
        with pytest.raises(Conflict) as refused:  # a duplicate arrives while this one runs
            wrapped(None, _request(key))
        seen["duplicate"] = refused.value
        return Response({"ok": True}, status=201)

    monkeypatch.setattr(conventions.cache, "add", add)
    wrapped = conventions.idempotent(handler)
    assert wrapped(None, _request(key)).status_code == 201
    assert seen["duplicate"].code == "idempotency_in_progress"
    assert seen["duplicate"].status == 409
    assert wrapped(None, _request(key))["Idempotent-Replayed"] == "true"
    # A handler still running after two minutes (a slow upload, a slow database) still holds
    # its key: a retry then is refused, not run a second time.
    assert seen["lock_seconds"] >= 120


@pytest.mark.django_db
def test_an_uploaded_file_is_part_of_the_request_a_key_names(tenant_a, owner_a, settings,
                                                              tmp_path):
    """One key, the same file name, other bytes: a different request (422), not a replay of
    the first document. The same bytes again replay."""
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(tenant_a, owner_a)

    def upload(content: bytes):
        return client.post("/api/v1/documents/",
                           {"file": SimpleUploadedFile("scan.pdf", content, "application/pdf")},
                           HTTP_IDEMPOTENCY_KEY="upload-1")

    first = upload(b"%PDF-1.7 the first invoice")
    assert first.status_code == 201, first.content
    other = upload(b"%PDF-1.7 a different invoice entirely")
    assert other.status_code == 422, other.content
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    again = upload(b"%PDF-1.7 the first invoice")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    with in_tenant(tenant_a):
        assert Document.objects.count() == 1
