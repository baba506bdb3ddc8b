"""Delivers signed webhooks from a background thread so a slow receiver never blocks the API."""

from __future__ import annotations

import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from . import wire
from .signing import KeyRing


@dataclass
class Delivery:
    url: str
    body: dict[str, Any]
    status: int | None = None
    error: str | None = None
    sent_at: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "body": self.body,
            "status": self.status,
            "error": self.error,
            "sent_at": wire.iso_at(self.sent_at),
        }


class WebhookSender:
    def __init__(self, keyring: KeyRing, timeout: float = 5.0) -> None:
        self.keyring = keyring
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._thread = threading.Thread(
            target=self._run, name="plaid-sandbox-webhooks", daemon=True
        )
        self._thread.start()

    def send(self, url: str, body: dict[str, Any]) -> None:
        self._queue.put((url, body))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until every queued webhook was attempted (used by tests and drills)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=self.timeout + 1)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                self._deliver(*job)
            finally:
                self._queue.task_done()

    def _deliver(self, url: str, body: dict[str, Any]) -> None:
        payload = wire.dumps(body, indent=2).encode("utf-8")
        delivery = Delivery(url=url, body=body)
        request = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Plaid-Verification": self.keyring.sign(payload),
                "User-Agent": "Plaid Verifier",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                delivery.status = response.status
        except urllib.error.HTTPError as exc:
            delivery.status = exc.code
        except (OSError, ValueError) as exc:
            delivery.error = str(exc)
        self.deliveries.append(delivery)
