"""Reminder tests: the alpha business with reminders on, an owner, and a few customers; a
Postmark stand-in for the tests where the mail provider refuses."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from apps.accounts.models import Role
from apps.ar.reminders.models import CollectionsSettings
from apps.ar.reminders.sequences import sequence_default
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import in_tenant


@pytest.fixture
def rem(tenant_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        CollectionsSettings.objects.update_or_create(
            singleton=1, defaults={"enabled": True, "attach_pdfs": False,
                                   "pay_link": "https://pay.example.test/alpha"})
        seq = sequence_default()
        yield SimpleNamespace(
            business=tenant_a, today=f.today_of(tenant_a), seq=seq,
            steps={s.offset_days: s for s in seq.steps.all()},
            owner=make_member(tenant_a, Role.OWNER),
            bookkeeper=make_member(tenant_a, Role.BOOKKEEPER),
            viewer=make_member(tenant_a, Role.VIEWER),
        )


class _Postmark(BaseHTTPRequestHandler):
    """A Postmark API stand-in for anymail's real Postmark backend: refuses with HTTP 503 (an
    outage: an answer, so nothing went) or accepts and records the message."""

    refuse = False
    accepted: list[dict] = []
    refused = 0

    def do_POST(self):  # noqa: N802 (http.server's name)
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        if type(self).refuse:
            type(self).refused += 1
            self._answer(503, {"ErrorCode": 100, "Message": "Service Unavailable"})
            return
        type(self).accepted.append(payload)
        self._answer(200, {"To": payload["To"], "SubmittedAt": "2026-03-02T08:00:00Z",
                           "MessageID": str(uuid.uuid4()), "ErrorCode": 0, "Message": "OK"})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def postmark(settings):
    """Reminders go through anymail's Postmark backend to a local stand-in (`refuse` it)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Postmark)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Postmark.refuse, _Postmark.accepted, _Postmark.refused = False, [], 0
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "test-token",
                        "REQUESTS_TIMEOUT": 5,
                        "POSTMARK_API_URL": f"http://127.0.0.1:{server.server_port}/"}
    yield _Postmark
    server.shutdown()
    server.server_close()
