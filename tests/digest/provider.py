"""A Postmark stand-in over real HTTP for the digest's retry tests: it refuses (422, as Postmark
does for a bad request) or accepts (200 with a MessageID), and records whom each message was to.
Django's mail goes through anymail's real Postmark backend to it."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Postmark(BaseHTTPRequestHandler):
    refuse = False
    accepted: list[str] = []  # the To of each message taken
    refused: list[str] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        cls = type(self)
        if cls.refuse:
            cls.refused.append(body["To"])
            self._answer(422, {"ErrorCode": 300, "Message": "Invalid email request"})
        else:
            cls.accepted.append(body["To"])
            self._answer(200, {"To": body["To"], "SubmittedAt": "2026-03-09T09:00:00Z",
                               "MessageID": str(uuid.uuid4()), "ErrorCode": 0,
                               "Message": "OK"})

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
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
    Postmark.refuse, Postmark.accepted, Postmark.refused = False, [], []
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "test-token",
                        "REQUESTS_TIMEOUT": 5,
                        "POSTMARK_API_URL": f"http://127.0.0.1:{server.server_port}/"}
    yield Postmark
    server.shutdown()
    server.server_close()
