"""The digest's numbers are the runway engine's; the email, text and PDF all say them."""

import io

import pypdfium2 as pdfium
from pypdf import PdfReader

from apps.core.dates import local_today
from apps.digest.content import deep_link_target, digest_build, week_label
from apps.digest.render import digest_render_html, digest_render_pdf, digest_render_text
from apps.runway.engine import to_json
from apps.runway.services import runway_compute


def _week(business):
    return week_label(local_today(business.timezone))


def test_content_numbers_equal_the_runway_engine(books_a):
    content = digest_build(books_a, _week(books_a))
    engine = to_json(runway_compute(books_a, as_of=local_today(books_a.timezone)))
    for key in ("cash", "reserved", "available", "daily_burn", "runway_days", "low_point",
                "cash_zero_week", "weeks", "ar_aging", "ap_aging"):
        assert content["runway"][key] == engine[key], key
    assert content["runway"]["runway_days"] not in (None, "0.0")
    # customers to chase carry the engine's habit sentence
    chase = content["chase"][0]
    habit = next(h for h in engine["habits"] if h["customer_name"] == "Slowpoke Media")
    assert chase["customer"] == "Slowpoke Media" and chase["habit"] == habit["sentence"]
    assert [b["vendor"] for b in content["bills"]] == ["Figma", "WeWork Rent"]
    assert content["tray"][0]["title"].startswith("Chase Slowpoke")
    assert content["freshness"]["stale"] is True
    assert "not been synced" in content["freshness"]["note"]


def test_deep_links_are_signed_and_tamper_proof(books_a):
    link = digest_build(books_a, _week(books_a))["tray"][0]["link"]
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert deep_link_target(token).startswith("/tray/?item=")
    import pytest
    from django.core import signing

    with pytest.raises(signing.BadSignature):
        deep_link_target(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])


def test_email_text_and_pdf_say_the_same_numbers(books_a):
    content = digest_build(books_a, _week(books_a))
    days, low = content["runway"]["runway_days"], content["text"]["low_point"]
    html = digest_render_html(content, unsubscribe_url="https://x.test/u/")
    assert days in html and low in html and "https://x.test/u/" in html
    assert "<style" not in html and 'style="' in html  # CSS inlined for mail clients
    assert "<svg" not in html  # mail clients drop SVG: the email uses tables
    text = digest_render_text(content, unsubscribe_url="https://x.test/u/")
    assert f"RUNWAY: {days} days" in text and low in text and "Slowpoke Media" in text
    pdf = digest_render_pdf(content)
    reader = PdfReader(io.BytesIO(pdf.data))
    extracted = " ".join(page.extract_text() for page in reader.pages)
    assert f"{days} days" in extracted and low in extracted
    assert 1 <= len(reader.pages) == pdf.pages <= 4
    first = pdfium.PdfDocument(pdf.data)[0].render(scale=0.5).to_pil()
    assert first.width > 200 and first.height > first.width  # portrait page rendered


def test_the_bills_heading_says_overdue_bills_are_listed_too(books_a):
    """The bills section lists overdue bills (marked "(overdue)") as well as those due within
    14 days: its heading says so in the email/web/PDF body and in the plain text."""
    content = digest_build(books_a, _week(books_a))
    html = digest_render_html(content, unsubscribe_url="https://x.test/u/")
    text = digest_render_text(content, unsubscribe_url="https://x.test/u/")
    assert "Bills overdue or due in the next 14 days" in html
    assert "BILLS OVERDUE OR DUE IN THE NEXT 14 DAYS:" in text
    assert "Bills due in the next 14 days" not in html
    assert "\nBILLS DUE IN THE NEXT 14 DAYS" not in text


def test_paper_size_follows_the_country(books_a, tenant_b):
    tenant_b.country = "AU"  # in memory only
    us = digest_build(books_a, _week(books_a))
    au = digest_build(tenant_b, _week(tenant_b))
    assert (us["paper"], au["paper"]) == ("letter", "a4")
    w_us = PdfReader(io.BytesIO(digest_render_pdf(us).data)).pages[0].mediabox.width
    w_au = PdfReader(io.BytesIO(digest_render_pdf(au).data)).pages[0].mediabox.width
    assert round(float(w_us)) == 612 and round(float(w_au)) == 595
