"""Real crafted bombs are refused by the isolated reader within their budgets; the refusal is
visible on the document; the calling process (web or worker) is untouched."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.ap.documents.isolation import isolated_read, isolated_render
from apps.ap.documents.limits import Limits
from apps.ap.documents.refusals import BudgetExceeded
from tests.ap.documents import bombs
from tests.bench.documents_corpus import corpus, render_pdf
from tests.utils import client_for, in_tenant

# A smaller address space than production's 1 GB so the hidden bomb is built and hit quickly.
LIMITS = Limits(reader_memory_bytes=512 * 1024 * 1024)


def _bomb(label):
    make, budget = bombs.BOMBS[label]
    if label == "hidden deflate bomb PDF":
        return bombs.hidden_deflate_bomb_pdf(768 * 1024 * 1024), budget
    return make(), budget


@pytest.mark.parametrize("label", list(bombs.BOMBS))
def test_each_bomb_is_refused_within_its_budget(label):
    data, budget = _bomb(label)
    assert len(data) < 4 * 1024 * 1024  # small on the wire
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as refused:
        isolated_read(data, name="bill.pdf", limits=LIMITS)
    assert refused.value.budget == budget
    assert str(refused.value).startswith(f"Refused: bill.pdf exceeds the {budget} budget")
    assert time.monotonic() - started < LIMITS.reader_wall_s


def test_a_reader_that_runs_past_the_wall_clock_is_killed():
    # 50 ms cannot fit even the reader's start: it is killed (with its process group).
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as refused:
        isolated_read(render_pdf(corpus(1)[0]), name="slow.pdf",
                      limits=Limits(reader_wall_s=0.05))
    assert refused.value.budget == "time"
    assert time.monotonic() - started < 5


def test_output_over_its_cap_is_refused():
    limits = Limits(reader_output_bytes=64)  # any real text is longer than this
    with pytest.raises(BudgetExceeded) as refused:
        isolated_read(render_pdf(corpus(1)[0]), name="bill.pdf", limits=limits)
    assert refused.value.budget == "output"


def test_a_normal_bill_reads_in_the_reader_with_its_cost_recorded():
    result = isolated_read(render_pdf(corpus(1)[0]), name="bill.pdf", limits=Limits())
    assert result.content_type == "application/pdf" and result.method == "pdf_text"
    assert result.lines and 0 < result.run.peak_rss_bytes < Limits().reader_memory_bytes


def test_the_reader_gets_no_secrets_from_its_parent(monkeypatch):
    from apps.ap.documents.isolation import _child_env

    monkeypatch.setenv("SECRET_KEY", "s3cret")
    env = _child_env("/tmp/x", "bill.pdf")
    assert "SECRET_KEY" not in env and "DATABASE_URL" not in env
    assert os.environ["SECRET_KEY"] == "s3cret"


def test_staff_preview_of_a_bomb_is_refused_in_the_reader():
    with pytest.raises(BudgetExceeded):
        isolated_render(bombs.huge_mediabox_pdf(), page=1, dpi=110, limits=LIMITS)
    png = isolated_render(render_pdf(corpus(1)[0]), page=1, dpi=110, limits=LIMITS)
    assert png.startswith(b"\x89PNG")


def test_a_bomb_upload_ends_refused_and_visible_to_the_owner(tenant_a, owner_a, settings,
                                                             tmp_path):
    from apps.ap.documents.models import Document
    from apps.ap.documents.services import document_process

    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(tenant_a, owner_a)
    client.post("/documents/", {"files": [
        SimpleUploadedFile("bomb.pdf", bombs.deflate_bomb_pdf())]})
    with in_tenant(tenant_a):
        document = Document.objects.get(original_name="bomb.pdf")
        document_process(document_id=document.pk)
        document.refresh_from_db()
        assert document.state == Document.State.INVALID
        assert "decompressed-size budget" in document.state_reason
        assert document.events.filter(kind="refused").exists()
    page = client.get("/documents/")
    assert b"Refused: bomb.pdf exceeds the decompressed-size budget" in page.content


def test_served_documents_are_sandboxed(tenant_a, owner_a, settings, tmp_path):
    from apps.ap.documents.models import Document

    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(tenant_a, owner_a)
    client.post("/documents/", {"files": [SimpleUploadedFile("b.pdf", render_pdf(corpus(1)[0]))]})
    with in_tenant(tenant_a):
        pk = Document.objects.get().pk
    response = client.get(f"/documents/{pk}/file/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename=\"document-")
