"""The PDF (pypdfium2) and the inlined email HTML (headless Chromium) rendered to PNG.
They go to the ignored test folder; `make screenshots` writes them to docs/screenshots/."""

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from apps.core.dates import local_today
from apps.digest.content import digest_build, week_label
from apps.digest.render import digest_render_html, digest_render_pdf
from tests.screenshots import screenshot_dir


def _fresh(name: str) -> Path:
    """The picture's path, with any earlier run's file gone (the size check must see this one)."""
    target = screenshot_dir() / name
    target.unlink(missing_ok=True)
    return target


def test_pdf_first_page_renders_to_png(books_a):
    content = digest_build(books_a, week_label(local_today(books_a.timezone)))
    pdf = pdfium.PdfDocument(digest_render_pdf(content).data)
    target = _fresh("digest-pdf.png")
    pdf[0].render(scale=1.3).to_pil().save(target)
    assert target.stat().st_size > 20_000


@pytest.mark.browser
def test_email_html_in_a_real_browser(books_a, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make browser)")
    content = digest_build(books_a, week_label(local_today(books_a.timezone)))
    page = tmp_path / "email.html"
    page.write_text(digest_render_html(content, unsubscribe_url="https://example.test/u/"))
    target = _fresh("digest-email.png")
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={target}", "--window-size=760,1900", page.as_uri()],
        check=True, capture_output=True, timeout=60,
    )
    assert target.stat().st_size > 20_000
