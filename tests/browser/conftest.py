"""Browser tests: Debian's Chromium driven by Playwright against a live Django server.

The server runs in a thread on 127.0.0.1; businesses are reached as <slug>.localhost:<port>,
which Chromium resolves to loopback by itself.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from tests.screenshots import screenshot_dir

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def live_site(transactional_db, settings):
    """A real threaded HTTP server for the whole Django app (public and business hosts)."""
    from django.core.handlers.wsgi import WSGIHandler

    server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=True)
    server.set_app(StaticFilesHandler(WSGIHandler()))
    server.daemon_threads = True
    port = server.server_address[1]
    settings.SITE_PORT = str(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}", port
    finally:
        server.shutdown()
        server.server_close()


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
