"""A Postmark API stand-in over real HTTP, for the tests where the mail provider refuses or
never answers. Django's mail goes through anymail's real Postmark backend to it.

`mode`: "accept" (200 with a MessageID), "refuse" (an answer that says nothing went:
`refusal` 503 for an outage, 422 for a bad request) or "hang" (no answer before the client's
timeout: the provider may have sent it). Every message it took or refused is kept (its JSON).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ERRORS = {503: {"ErrorCode": 100, "Message": "Service Unavailable"},
          422: {"ErrorCode": 300, "Message": "Invalid email request"}}


class Postmark(BaseHTTPRequestHandler):
    mode = "accept"
    refusal = 503
    accepted: list[dict] = []
    refused: list[dict] = []
    requests = 0

    @classmethod
    def reset(cls) -> None:
        cls.mode, cls.refusal, cls.accepted, cls.refused, cls.requests = "accept", 503, [], [], 0

    @classmethod
    def to(cls, messages: list[dict]) -> list[str]:
        return [message["To"] for message in messages]

    def do_POST(self):  # noqa: N802 (http.server's name)
        cls = type(self)
        cls.requests += 1
        payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        if cls.mode == "hang":
            time.sleep(1.5)
            return
        if cls.mode == "refuse":
            cls.refused.append(payload)
            self._answer(cls.refusal, ERRORS[cls.refusal])
            return
        cls.accepted.append(payload)
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
    server = ThreadingHTTPServer(("127.0.0.1", 0), Postmark)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Postmark.reset()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "test-token",
                        "REQUESTS_TIMEOUT": 5,
                        "POSTMARK_API_URL": f"http://127.0.0.1:{server.server_port}/"}
    yield Postmark
    server.shutdown()
    server.server_close()
