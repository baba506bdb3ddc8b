"""Browser tests: Debian's Chromium driven by Playwright against a live Django server.

The server runs in a thread on 127.0.0.1; businesses are reached as <slug>.localhost:<port>,
which Chromium resolves to loopback by itself.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.live_server import live_wsgi_server
from tests.screenshots import screenshot_dir

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def live_site(transactional_db, settings):
    """A real threaded HTTP server for the whole Django app (public and business hosts)."""
    with live_wsgi_server(static=True) as port:
        settings.SITE_PORT = str(port)
        yield f"http://localhost:{port}", port


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is required (make test installs it)"
    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """Into the ignored test folder; `make screenshots` sends them to docs/screenshots/."""
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)
