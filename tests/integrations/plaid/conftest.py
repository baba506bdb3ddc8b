from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from apps.integrations.plaid.client import PlaidClient
from apps.sandboxes.plaid import SandboxHandle, start_sandbox

from .bank_fixtures import write_bank


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    return write_bank(tmp_path / "bank")


@pytest.fixture
def sandbox(bank_dir: Path) -> Iterator[SandboxHandle]:
    handle = start_sandbox(bank_dir)
    yield handle
    handle.stop()


@pytest.fixture
def plaid_client(sandbox: SandboxHandle) -> PlaidClient:
    return PlaidClient(sandbox.base_url, "test-client", "test-secret", timeout=10)


class WebhookReceiver:
    """A real HTTP endpoint that records what the sandbox posts to it."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.arrived:
                    receiver.received.append((body, dict(self.headers.items())))
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/plaid/webhook"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[tuple[bytes, dict[str, str]]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver()
    yield hook
    hook.stop()


@pytest.fixture
def linked(plaid_client: PlaidClient, receiver: WebhookReceiver) -> tuple[str, str]:
    """(access_token, item_id) of an item linked with the receiver as its webhook."""
    public_token = plaid_client.sandbox_public_token(webhook=receiver.url)
    return plaid_client.exchange_public_token(public_token)
