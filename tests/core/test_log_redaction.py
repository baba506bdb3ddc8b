"""Hand-off, OAuth, invitation, sign-up and reset codes never reach a log line."""

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from apps.core.gunicorn_logging import RedactingLogger
from apps.core.logging import ContextFilter, JsonFormatter, RedactFilter
from apps.core.redact import redact

SECRETS = [
    ("/auth/handoff/?token=eyJ1Ijo.SECRET1&next=/bills/", "SECRET1"),
    ("/connect/qbo/callback/?code=AB-SECRET2&state=SECRET3&realmId=123", "SECRET2"),
    ("/connect/qbo/callback/?code=AB&state=SECRET3&realmId=123", "SECRET3"),
    ("/invite/SECRET4abc/", "SECRET4"),
    ("/signup/verify/eyJ.SECRET5:1abc/", "SECRET5"),
    ("/password/reset/MQ/SECRET6-set/", "SECRET6"),
    ("/digest/unsubscribe/SECRET7/", "SECRET7"),
]


@pytest.mark.parametrize(("url", "secret"), SECRETS)
def test_redact_masks_codes_and_keeps_the_route(url, secret):
    cleaned = redact(f'"GET {url} HTTP/1.1" 302')
    assert secret not in cleaned and "[redacted]" in cleaned
    assert cleaned.split("/")[1] == url.split("/")[1]  # still says which route it was


def test_harmless_urls_are_untouched():
    for text in ("/bills/?status=open&page=2", "/password/reset/sent/", "/login/?next=/bills/"):
        assert redact(text) == text


def test_django_log_lines_are_redacted():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Not Found: %s", "/invite/SECRET8/")
        logger.warning('"GET /auth/handoff/?token=SECRET9 HTTP/1.1" 302 0')
    finally:
        logger.removeHandler(handler)
    out = stream.getvalue()
    assert "SECRET8" not in out and "SECRET9" not in out and out.count("[redacted]") == 2


def test_gunicorn_access_log_is_redacted():
    logger = RedactingLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/auth/handoff/?token=SECRET10",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/invite/SECRET11/",
               "QUERY_STRING": "code=SECRET12&state=x", "REMOTE_ADDR": "1.2.3.4"}
    resp = SimpleNamespace(status="302 Found", sent=0, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    text = " ".join(str(v) for v in atoms.values())
    assert not any(s in text for s in ("SECRET10", "SECRET11", "SECRET12"))
