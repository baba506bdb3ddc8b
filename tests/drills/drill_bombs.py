"""Bombs: real crafted files (tests.ap.documents.bombs) are refused within their budgets by the
isolated reader, on a real Celery worker serving the documents queue; the worker lives on and
a worker on another queue is unaffected (DESIGN §7, docs/reliability.md "Bombs").

1. Each bomb through `isolated_read` in this process: the budget that refused it, wall seconds
   and the reader's peak memory.
2. The same bombs, plus one ordinary bill, stored as documents of a new business and sent as
   `ap.document_extract` tasks to a prefork worker on a documents queue of the drill's own (as
   the Procfile's `documents` process), while probe tasks go to a second worker on another
   queue. Verdict: every bomb ends "could not be used" with its budget named on the document,
   the bill is read, the documents worker is the same live process, every probe answered in
   under PROBE_MAX_S.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests.drills.quick import worker_wait_ready

ROOT = Path(__file__).resolve().parents[2]
PROBE_MAX_S = 5.0


def _worker(queue: str, log: Path, env: dict, concurrency: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "oodaloo", "worker", "-Q", queue, "--pool",
         "prefork", "-c", str(concurrency), "-n", f"{queue}@%h", "--without-heartbeat",
         "--without-mingle", "--without-gossip", "-l", "info"],
        env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    worker_wait_ready(proc, log, queue, 60)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _direct(bombs, limits) -> tuple[list[str], int]:
    from apps.ap.documents.isolation import isolated_read
    from apps.ap.documents.refusals import BudgetExceeded

    lines, wrong = [], 0
    for label, (make, budget) in bombs.items():
        data = make()
        started = time.monotonic()
        try:
            isolated_read(data, name=label, limits=limits)
            got, run = "accepted", None
        except BudgetExceeded as exc:
            got, run = exc.budget, getattr(exc, "run", None)
        seconds = time.monotonic() - started
        wrong += got != budget
        rss = f", {run.peak_rss_bytes / 1048576:.0f} MB peak" if run else ""
        lines.append(f"{label}: {got} budget in {seconds:.2f} s{rss}")
    return lines, wrong


def _documents(business, files: dict[str, bytes]) -> dict[str, int]:
    import hashlib

    from django.core.files.base import ContentFile
    from django_tenants.utils import tenant_context

    from apps.ap.documents.models import Document

    ids = {}
    with tenant_context(business):
        for label, data in files.items():
            doc = Document(source="upload", original_name=label, content_type="application/pdf",
                           size=len(data), sha256=hashlib.sha256(data).hexdigest())
            doc.file.save("upload.bin", ContentFile(data), save=False)
            doc.save()
            ids[label] = doc.pk
    return ids


def run(quick: bool) -> tuple[bool, str]:
    from django.test.utils import override_settings

    tmp = Path(tempfile.mkdtemp(prefix="oodaloo-bombs-"))
    # override_settings (not an assignment): the storage already built by an earlier drill in
    # this process must move to the directory the worker reads too.
    with override_settings(MEDIA_ROOT=str(tmp / "media")):
        return _run(quick, tmp)


def _run(quick: bool, tmp: Path) -> tuple[bool, str]:
    from django.conf import settings
    from django_tenants.utils import tenant_context

    from apps.ap.documents.limits import Limits
    from apps.ap.documents.models import Document
    from apps.ap.documents.tasks import document_extract_task
    from apps.core.models import JobRun
    from apps.core.tasks import tenant_probe_task
    from apps.tenancy.services import business_provision
    from oodaloo.celery import app
    from tests.ap.documents import bombs
    from tests.bench.documents_corpus import corpus, render_pdf

    limits = Limits()
    direct, wrong = _direct(bombs.BOMBS, limits)
    tag = uuid.uuid4().hex[:6]
    env = {**os.environ, "MEDIA_ROOT": settings.MEDIA_ROOT,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    business = business_provision(slug=f"bombs-{tag}", name="Bombs")
    files = {label: make() for label, (make, _) in bombs.BOMBS.items()}
    files["ordinary bill"] = render_pdf(corpus(1)[0])
    ids = _documents(business, files)
    docs_q, other_q = f"drill-documents-{tag}", f"drill-other-{tag}"
    docs = _worker(docs_q, tmp / "documents.log", env, 1)
    other = _worker(other_q, tmp / "other.log", env, 1)
    probes: list[tuple[str, float]] = []
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as broker, \
                tenant_context(business):
            for pk in ids.values():
                document_extract_task.apply_async(args=[pk], queue=docs_q, connection=broker)
            for _ in range(3 if quick else 10):
                sent = time.time()  # wall clock: compared with the JobRun's finished_at
                probes.append((tenant_probe_task.apply_async(
                    args=["ap_document"], queue=other_q, connection=broker).id, sent))
                time.sleep(0.5)
        answered = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            with tenant_context(business):
                pending = Document.objects.filter(pk__in=ids.values()).unfinished().exists()
            done = JobRun.objects.filter(task_id__in=[p for p, _ in probes], state="succeeded")
            answered = [(r.task_id, r.finished_at) for r in done if r.finished_at]
            if not pending and len(answered) == len(probes):
                break
            time.sleep(0.3)
        docs_alive = docs.poll() is None
    finally:
        _stop(docs)
        _stop(other)
    sent_at = dict(probes)
    waits = [finished.timestamp() - sent_at[tid] for tid, finished in answered]
    with tenant_context(business):
        states = {label: Document.objects.get(pk=pk) for label, pk in ids.items()}
    refused_right = sum(
        1 for label, (_, budget) in bombs.BOMBS.items()
        if states[label].state == Document.State.INVALID
        and f"exceeds the {budget} budget" in states[label].state_reason)
    bill = states["ordinary bill"]
    bill_read = bill.text_method == "pdf_text" and bill.state in (
        Document.State.READY, Document.State.NEEDS_REVIEW) and bill.total is not None
    ok = (wrong == 0 and refused_right == len(bombs.BOMBS) and bill_read and docs_alive
          and len(answered) == len(probes) and max(waits, default=99) < PROBE_MAX_S)
    verdict = (
        f"{len(bombs.BOMBS) - wrong}/{len(bombs.BOMBS)} bombs refused by the right budget "
        f"in the reader ({'; '.join(direct)}); on the worker {refused_right}/{len(bombs.BOMBS)}"
        f" refused and shown, ordinary bill {'read' if bill_read else 'NOT read'}, documents "
        f"worker {'alive' if docs_alive else 'DEAD'}, other queue answered "
        f"{len(answered)}/{len(probes)} probes (slowest {max(waits, default=0):.2f} s)"
    )
    return ok, verdict
