"""A week that was resent shows its scheduled digest: "view in browser", the week's PDF and next
week's "since last week" read the scheduled run, not a resend (Postgres sorts NULLs last)."""

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from apps.digest.content import week_label, week_parse
from apps.digest.models import DigestRun
from apps.digest.services import digest_build, digest_send
from tests.utils import client_for

NOW = timezone.now()
WEEK = week_label(NOW.astimezone(ZoneInfo("America/Los_Angeles")).date())
NEXT_WEEK = week_label(week_parse(WEEK) + timedelta(days=7))


def _scheduled_and_resent(business, owner) -> DigestRun:
    """The week sent on schedule, then resent; the resend's stored content made recognisable."""
    digest_send(business, WEEK, now=NOW)
    resend = digest_send(business, WEEK, now=NOW, force=True, actor=owner, reason="lost mail")
    assert resend.state == "sent"
    with tenant_context(business):
        run = DigestRun.objects.get(key=resend.key)
        run.content["business"]["name"] = "Resent Holdings"
        run.content["runway"]["runway_days"] = "999.0"
        run.save(update_fields=["content"])
        return DigestRun.objects.get(resend_of__isnull=True, week=WEEK)


def test_view_in_browser_and_the_pdf_show_the_scheduled_digest(books_a, owner_a):
    scheduled = _scheduled_and_resent(books_a, owner_a)
    client = client_for(books_a, owner_a)
    page = client.get(f"/digest/{WEEK}/")
    assert page.status_code == 200
    assert scheduled.content["business"]["name"] in page.content.decode()
    assert b"Resent Holdings" not in page.content
    pdf = client.get(f"/digest/{WEEK}/pdf/")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Resent Holdings" not in text and scheduled.content["business"]["name"] in text


def test_since_last_week_compares_with_the_scheduled_digest(books_a, owner_a):
    scheduled = _scheduled_and_resent(books_a, owner_a)
    following = digest_build(books_a, NEXT_WEEK, now=NOW)
    assert following["runway"]["runway_days_last_week"] == scheduled.content["runway"][
        "runway_days"] != "999.0"
