"""Digests for 1,000 businesses (email + PDF) in ≤ 10 min on 2 cores with two workers.

What is measured, honestly: provisioning 1,000 schemas is slow and not what this measures, so
one business with a realistic small book is digested 1,000 times (quick: 20) — each for a
different ISO week, so every one is a full, uncached build (runway computed for that week) +
HTML/text/PDF render + send through Django's mail API with the idempotency bookkeeping (claim,
deliveries, Redis lock). Two worker processes split the weeks. The mail backend is locmem:
a provider's network round trip is not included. Reference (same run): the serial estimate,
N × the median per-digest time, so the ratio shows what the two workers bought.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import time
from datetime import timedelta

from tests.bench.harness import Result, p95

SLUG = "digestbench"


def _weeks(n: int) -> list[str]:
    from apps.core.dates import local_today
    from apps.digest.content import week_label

    today = local_today("America/New_York")
    return [week_label(today - timedelta(weeks=i)) for i in range(n)]


def _worker(weeks: list[str], queue) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oodaloo.settings.bench")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail

    from apps.digest.services import digest_send
    from apps.tenancy.models import Business

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    business = Business.objects.get(slug=SLUG)
    times = []
    for week in weeks:
        started = time.perf_counter()
        report = digest_send(business, week)
        times.append(time.perf_counter() - started)
        assert report.state == "sent" and report.sent == 1, report
        mail.outbox.clear()
    queue.put(times)


def _prepare() -> object:
    from django.db import connection

    from apps.accounts.models import Role
    from apps.core.dates import local_today
    from apps.tenancy.models import Business
    from apps.tenancy.services import business_provision
    from tests.digest.seed import clear_books, seed_books
    from tests.factories import make_member

    business = Business.objects.filter(slug=SLUG).first() or business_provision(
        slug=SLUG, name="Digest Bench Studio", timezone="America/New_York")
    clear_books(business)
    seed_books(business, local_today(business.timezone))
    make_member(business, Role.OWNER, email="owner@digestbench.test")
    connection.close()  # the workers open their own connections
    return business


def run(quick: bool) -> list[Result]:
    from django_tenants.utils import tenant_context

    n = 20 if quick else 1000
    business = _prepare()
    weeks = _weeks(n)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    halves = [weeks[0::2], weeks[1::2]]
    started = time.perf_counter()
    procs = [ctx.Process(target=_worker, args=(half, queue)) for half in halves]
    for p in procs:
        p.start()
    per_digest = [t for _ in procs for t in queue.get(timeout=3600)]
    for p in procs:
        p.join()
    wall = time.perf_counter() - started

    from apps.digest.models import DigestRun

    with tenant_context(business):
        runs = list(DigestRun.objects.filter(state="sent").values_list("render_ms", "pdf_bytes",
                                                                       "pdf_pages"))
    render_ms = [r[0] for r in runs]
    pdf_kb = [r[1] / 1024 for r in runs]
    serial = n * statistics.median(per_digest)
    target_s = 600 * n / 1000  # 10 min per 1,000, scaled for the quick run
    return [
        Result(
            name=f"Digests (build + HTML/text/PDF + send), {n} on 2 worker processes",
            figure=round(wall, 1), unit="s",
            target=f"≤ {target_s:g} s (10 min per 1,000)", passed=wall <= target_s,
            reference="serial estimate (N × median per digest)",
            reference_figure=round(serial, 1), ratio=round(wall / serial, 2),
            notes=(f"one business digested for {n} different weeks (no schema per digest); "
                   f"per digest median {statistics.median(per_digest) * 1000:.0f} ms, p95 "
                   f"{p95(per_digest) * 1000:.0f} ms; render (HTML+text+PDF) median "
                   f"{statistics.median(render_ms):.0f} ms; PDF median "
                   f"{statistics.median(pdf_kb):.0f} KiB, {max(r[2] for r in runs)} page(s) "
                   "max; mail backend locmem (no provider round trip)"),
            extra={"per_digest_ms_median": round(statistics.median(per_digest) * 1000),
                   "render_ms_median": statistics.median(render_ms),
                   "pdf_kib_median": round(statistics.median(pdf_kb), 1)},
        )
    ]
