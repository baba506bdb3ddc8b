"""HTTP client for the /_sandbox/ control API, for drills and tests in another process than
the sandbox (in-process code can use SandboxHandle's methods directly)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any

from . import wire


class SandboxControlError(RuntimeError):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {body.get('error')}")
        self.status = status
        self.problems = body.get("problems", [])


class SandboxControl:
    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, verb: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = wire.dumps(body).encode("utf-8") if verb == "POST" else None
        request = urllib.request.Request(f"{self.base_url}/_sandbox/{path}", data=data, method=verb)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read(), parse_float=Decimal)
        except urllib.error.HTTPError as exc:
            raise SandboxControlError(exc.code, json.loads(exc.read() or b"{}")) from exc

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "stats")

    def set_faults(self, spec: str | dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", "faults", {"spec": spec})

    def add_transactions(self, transactions: list[dict[str, Any]]) -> list[str]:
        return self._call("POST", "transactions/add", {"transactions": transactions})[
            "transaction_ids"
        ]

    def modify_transactions(self, changes: list[dict[str, Any]]) -> list[str]:
        return self._call("POST", "transactions/modify", {"transactions": changes})[
            "transaction_ids"
        ]

    def remove_transactions(self, transaction_ids: list[str]) -> list[str]:
        return self._call("POST", "transactions/remove", {"transaction_ids": transaction_ids})[
            "transaction_ids"
        ]

    def post_pending(self, transaction_id: str, **overrides: Any) -> str:
        body = {"transaction_id": transaction_id, "overrides": overrides}
        return self._call("POST", "transactions/post", body)["transaction_id"]

    def set_item_state(
        self, item_id: str, state: str, consent_expiration_time: str | None = None
    ) -> dict[str, Any]:
        body = {"item_id": item_id, "state": state}
        if consent_expiration_time:
            body["consent_expiration_time"] = consent_expiration_time
        return self._call("POST", "items/state", body)["item"]

    def set_balances(self, account_id: str, **balances: Any) -> dict[str, Any]:
        body = {"account_id": account_id, "balances": balances}
        return self._call("POST", "accounts/balances", body)["account"]

    def sign_webhook(self, body: str, iat: int | None = None) -> str:
        return self._call("POST", "webhooks/sign", {"body": body, "iat": iat})["jwt"]

    def rotate_key(self) -> dict[str, Any]:
        return self._call("POST", "keys/rotate", {})["key"]

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        return self._call("GET", "webhooks")["deliveries"]

    def flush(self, directory: str | None = None) -> str:
        return self._call("POST", "flush", {"directory": directory} if directory else {})[
            "directory"
        ]
