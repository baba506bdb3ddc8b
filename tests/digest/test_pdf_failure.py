"""A PDF WeasyPrint cannot make does not hold the digest back: the email goes without it and
says so, the run keeps the error, staff see it. A run left `sending` (a dead worker) counts as a
staff problem once it has been at it for over an hour."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.core.clock import OffsetClock
from apps.core.dates import local_today
from apps.digest.content import week_label
from apps.digest.models import DigestRun
from apps.digest.services import digest_send, lease_seconds
from apps.digest.staff import staff_runs
from apps.staff.home import staff_home
from apps.tenancy.models import BusinessSummary
from apps.tenancy.summary import summary_refresh
from tests.digest.workers import send_worker_start
from tests.factories import make_member

NOW = timezone.now()
WEEK = week_label(NOW.astimezone(ZoneInfo("America/Los_Angeles")).date())
NOTE = "The PDF could not be made this time"


@pytest.fixture
def pdf_breaks(settings, tmp_path):
    """A PDF template WeasyPrint cannot lay out (a font size beyond any float: OverflowError in
    WeasyPrint's layout), found before the real one; the email templates are the real ones."""
    templates = tmp_path / "templates"
    (templates / "digest").mkdir(parents=True)
    (templates / "digest" / "pdf.html").write_text(
        '<html><body><p style="font-size: 1e308px">{{ c.business.name }}</p></body></html>')
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [templates, *engine["DIRS"]]}]


def _digest_count(now) -> tuple[int, list[str]]:
    with override_settings(ROOT_URLCONF=settings.PUBLIC_SCHEMA_URLCONF):  # the staff host's
        [count] = [c for c in staff_home(now) if c.key == "digests"]
    return count.count, count.detail


def test_the_email_goes_without_the_pdf_and_says_so(books_a, owner_a, pdf_breaks, caplog):
    with caplog.at_level(logging.ERROR, logger="apps.digest.sending"):
        report = digest_send(books_a, WEEK, now=NOW)
    assert (report.state, report.sent) == ("sent", 1)
    [msg] = mail.outbox
    assert msg.to == [owner_a.email] and msg.attachments == []
    html = msg.alternatives[0][0]
    assert NOTE in html and NOTE in msg.body
    assert f"/digest/{WEEK}/pdf/" in html and f"/digest/{WEEK}/pdf/" in msg.body
    assert "PDF attached" not in html
    with tenant_context(books_a):
        run = DigestRun.objects.get(key=report.key)
    assert run.state == "sent" and run.attempts == 1
    assert run.pdf_error.startswith("OverflowError") and run.pdf_bytes is None
    assert "PDF could not be made" in caplog.text and "OverflowError" in caplog.text
    row = BusinessSummary.objects.get(business=books_a)
    assert row.digest_state == "sent" and "PDF not attached: OverflowError" in row.digest_error


def test_a_later_attempt_that_makes_the_pdf_attaches_it(books_a, owner_a):
    """The control: the same digest with the real template has its PDF and no error."""
    report = digest_send(books_a, WEEK, now=NOW)
    [msg] = mail.outbox
    assert msg.attachments and NOTE not in msg.body
    with tenant_context(books_a):
        assert DigestRun.objects.get(key=report.key).pdf_error == ""


@pytest.mark.worker
def test_a_run_left_sending_is_a_problem_after_an_hour_and_its_retry_sends_without_the_pdf(
        alpha_books, tmp_path, pdf_breaks):
    """A worker is SIGKILLed just before handing the owner's email over: the run is left
    `sending`. Staff count it once it has been at it for an hour. The retry (on a clock past the
    lease) cannot make the PDF either way: Bob's email goes without it; the owner's is `unknown`
    (never sent twice)."""
    bob = make_member(alpha_books, Role.BOOKKEEPER, email="bob@example.test")
    Membership.objects.filter(user=bob, business=alpha_books).update(receives_digest=True)
    week = week_label(local_today(alpha_books.timezone))
    crashed = send_worker_start(week, tmp_path / "mail",
                                OODALOO_DIGEST_FAULT="kill_before_provider")
    crashed.communicate(timeout=60)
    assert crashed.returncode == -9
    summary_refresh(alpha_books)  # what the next sync does: the dead worker refreshed nothing
    now = timezone.now()
    assert BusinessSummary.objects.get(business=alpha_books).digest_state == "sending"
    assert "Alpha Studio: sending" not in _digest_count(now)[1]  # still within the hour
    later = now + timedelta(hours=1, minutes=1)
    assert "Alpha Studio: sending" in _digest_count(later)[1]
    assert "alpha" in [r.schema for r in staff_runs(problem=True, now=later)]
    assert "alpha" not in [r.schema for r in staff_runs(problem=True, now=now)]

    clock = OffsetClock()
    clock.advance(lease_seconds() + 1)
    retry = digest_send(alpha_books, week, clock=clock)
    assert (retry.state, retry.sent) == ("partial", 1)
    [msg] = mail.outbox
    assert msg.to == ["bob@example.test"] and msg.attachments == [] and NOTE in msg.body
    with tenant_context(alpha_books):
        run = DigestRun.objects.get(key=retry.key)
    assert run.pdf_error.startswith("OverflowError")
    row = BusinessSummary.objects.get(business=alpha_books)
    assert row.digest_state == "partial" and "PDF not attached" in row.digest_error
