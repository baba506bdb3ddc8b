"""QBO webhooks: payloads in CloudEvents (current) or legacy form, signed like Intuit signs them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib import error as urlerror
from urllib import request as urlrequest

from .writes import Change

VERBS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Void": "voided",
    "Merge": "merged",
    "Emailed": "emailed",
}
FORMATS = ("cloudevents", "legacy")
MAX_EVENTS_PER_DELIVERY = 100


def sign_webhook_body(body: bytes | str, verifier_token: str) -> str:
    """`intuit-signature` value: base64(HMAC-SHA256(key=verifier token, msg=raw body))."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    digest = hmac.new(verifier_token.encode("utf-8"), raw, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def build_payload(changes: list[Change], realm: str, fmt: str) -> bytes:
    if fmt == "legacy":
        entities = [
            {"name": c.entity, "id": c.id, "operation": c.operation, "lastUpdated": c.last_updated}
            for c in changes
        ]
        doc: Any = {
            "eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": entities}}]
        }
    else:
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        doc = [
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "intuit.sandbox",
                "type": f"qbo.{c.entity.lower()}.{VERBS.get(c.operation, c.operation.lower())}.v1",
                "datacontenttype": "application/json",
                "time": now,
                "intuitentityid": c.id,
                "intuitaccountid": realm,
                "data": {},
            }
            for c in changes
        ]
    return json.dumps(doc, separators=(",", ":")).encode("utf-8")


@dataclass
class WebhookConfig:
    url: str | None = None
    verifier_token: str | None = None
    format: str = "cloudevents"
    auto: bool = True


class WebhookSender:
    """Delivers change events on a background thread; a short burst goes in one POST."""

    def __init__(self, realm: str, config: WebhookConfig) -> None:
        self.realm = realm
        self.config = config
        self.log: deque[dict[str, Any]] = deque(maxlen=100)
        self.sent = 0
        self._queue: queue.Queue[Change | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="qbo-sandbox-webhooks", daemon=True)
        self._thread.start()

    def configure(self, **values: Any) -> WebhookConfig:
        fmt = values.get("format")
        if fmt is not None and fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}")
        for key in ("url", "verifier_token", "format", "auto"):
            if key in values:
                setattr(self.config, key, values[key])
        return self.config

    def enqueue(self, changes: list[Change]) -> None:
        if self.config.url and self.config.auto:
            for change in changes:
                self._queue.put(change)

    def deliver(self, changes: list[Change]) -> dict[str, Any]:
        """Send one signed POST now and return what happened."""
        config = self.config
        body = build_payload(changes, self.realm, config.format)
        signature = sign_webhook_body(body, config.verifier_token or "")
        entry: dict[str, Any] = {
            "url": config.url,
            "status": None,
            "error": None,
            "body": body.decode("utf-8"),
            "signature": signature,
        }
        if not config.url:
            entry["error"] = "no webhook url configured"
            self.log.append(entry)
            return entry
        req = urlrequest.Request(
            config.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "intuit-signature": signature,
                "User-Agent": "QBO-sandbox-webhooks",
            },
        )
        try:
            with urlrequest.urlopen(req, timeout=10) as response:
                entry["status"] = response.status
        except urlerror.HTTPError as exc:
            entry["status"] = exc.code
        except (urlerror.URLError, OSError) as exc:
            entry["error"] = str(exc)
        self.sent += 1
        self.log.append(entry)
        return entry

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_EVENTS_PER_DELIVERY:
                try:
                    item = self._queue.get(timeout=0.05)
                except queue.Empty:
                    break
                if item is None:
                    self.deliver(batch)
                    return
                batch.append(item)
            self.deliver(batch)
