"""HTTP plumbing: a threaded server, the request handler, and `start_sandbox` for tests."""

from __future__ import annotations

import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .app import Reply, Request, SandboxApp
from .faults import FaultSpec
from .webhooks import WebhookConfig

MAX_BODY = 110 * 1024 * 1024  # a 100 MB attachment plus its multipart framing


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    app: SandboxApp


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so paging clients reuse connections
    server_version = "QBO-sandbox/1.0"
    server: SandboxHTTPServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if getattr(self.server, "verbose", False):
            sys.stderr.write("qbo-sandbox: " + (format % args) + "\n")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.app.handle(Request(method, parts.path, params, headers, body))
        if reply.action in ("drop", "hold"):
            self._close_without_answer()
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def _close_without_answer(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class SandboxHandle:
    """A running sandbox in this process (a server thread). Use `stop()` or `with`."""

    def __init__(self, server: SandboxHTTPServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.app = server.app
        host, port = server.server_address[:2]
        self.host, self.port = str(host), int(port)
        self.base_url = f"http://{self.host}:{self.port}"
        self.app.base_url = self.base_url
        self._stopped = False

    @property
    def realm(self) -> str:
        return self.app.realm

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/v3/company/{self.realm}"

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid_configuration"

    def issue_tokens(self, client_id: str = "sandbox-dev") -> dict[str, Any]:
        return self.app.issue_tokens(client_id)

    def set_faults(self, spec: str | dict | FaultSpec | None, merge: bool = False) -> FaultSpec:
        return self.app.set_faults(spec, merge=merge)

    def stats(self) -> dict[str, Any]:
        return self.app.stats_snapshot()

    def flush(self) -> None:
        self.app.flush()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.app.stopping.set()  # wakes held (timeout) and delayed requests
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.app.close()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def build_server(
    company_dir: str | Path,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    realm: str | None = None,
    faults: str | dict | FaultSpec | None = None,
    webhook_url: str | None = None,
    verifier_token: str | None = None,
    webhook_format: str = "cloudevents",
    persist: bool = True,
    persist_delay: float = 0.5,
    verbose: bool = False,
) -> SandboxHTTPServer:
    """Load the company and bind the socket (raises SandboxLoadError / OSError)."""
    webhook = WebhookConfig(url=webhook_url, verifier_token=verifier_token, format=webhook_format)
    app = SandboxApp(
        str(company_dir),
        realm=realm,
        faults=faults,
        persist=persist,
        persist_delay=persist_delay,
        webhook=webhook,
    )
    try:
        server = SandboxHTTPServer((host, port), SandboxRequestHandler)
    except OSError:
        app.close()
        raise
    server.app = app
    server.verbose = verbose  # type: ignore[attr-defined]
    bound_host, bound_port = server.server_address[:2]
    app.base_url = f"http://{bound_host}:{bound_port}"
    return server


def start_sandbox(
    company_dir: str | Path,
    port: int = 0,
    realm: str | None = None,
    faults: str | dict | FaultSpec | None = None,
    *,
    host: str = "127.0.0.1",
    webhook_url: str | None = None,
    verifier_token: str | None = None,
    webhook_format: str = "cloudevents",
    persist: bool = True,
    persist_delay: float = 0.5,
    verbose: bool = False,
) -> SandboxHandle:
    """Start the sandbox on a background thread and return its handle (port 0 = free port)."""
    server = build_server(
        company_dir,
        port=port,
        host=host,
        realm=realm,
        faults=faults,
        webhook_url=webhook_url,
        verifier_token=verifier_token,
        webhook_format=webhook_format,
        persist=persist,
        persist_delay=persist_delay,
        verbose=verbose,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="qbo-sandbox", daemon=True
    )
    thread.start()
    return SandboxHandle(server, thread)
