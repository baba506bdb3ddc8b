"""HTTP front of the sandbox: Plaid's POST-JSON endpoints plus the /_sandbox/ control API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from . import errors, link_standin, wire
from .bank import Bank, BankDataError
from .faults import FaultSettings, FaultSpecError, parse_spec
from .state import SandboxState

# Plaid path -> SandboxState method name.
PLAID_ROUTES = {
    "/link/token/create": "plaid_link_token_create",
    "/sandbox/public_token/create": "plaid_sandbox_public_token_create",
    "/item/public_token/exchange": "plaid_item_public_token_exchange",
    "/accounts/get": "plaid_accounts_get",
    "/accounts/balance/get": "plaid_accounts_balance_get",
    "/transactions/sync": "plaid_transactions_sync",
    "/transactions/refresh": "plaid_transactions_refresh",
    "/item/get": "plaid_item_get",
    "/item/remove": "plaid_item_remove",
    "/webhook_verification_key/get": "plaid_webhook_verification_key_get",
    "/sandbox/item/fire_webhook": "plaid_sandbox_item_fire_webhook",
    "/sandbox/item/reset_login": "plaid_sandbox_item_reset_login",
}
# Endpoints random faults never hit: the setup steps a drill needs to get going, and key fetches.
FAULT_EXEMPT = {
    "/sandbox/public_token/create",
    "/webhook_verification_key/get",
    "/sandbox/item/fire_webhook",
    "/sandbox/item/reset_login",
}


def _control_routes(state: SandboxState) -> dict[tuple[str, str], Callable[[dict[str, Any]], Any]]:
    return {
        ("GET", "/_sandbox/stats"): lambda body: state.stats(),
        ("GET", "/_sandbox/faults"): lambda body: state.faults.settings.as_dict(),
        ("POST", "/_sandbox/faults"): lambda body: state.set_faults(body.get("spec", body)),
        ("GET", "/_sandbox/webhooks"): lambda body: {
            "deliveries": [d.as_dict() for d in state.webhooks.deliveries]
        },
        ("POST", "/_sandbox/webhooks/sign"): lambda body: {
            "jwt": state.keyring.sign(str(body.get("body", "")).encode("utf-8"), body.get("iat"))
        },
        ("POST", "/_sandbox/keys/rotate"): lambda body: {"key": state.keyring.rotate().jwk()},
        ("POST", "/_sandbox/transactions/add"): lambda body: {
            "transaction_ids": state.add_transactions(_list(body, "transactions"))
        },
        ("POST", "/_sandbox/transactions/modify"): lambda body: {
            "transaction_ids": state.modify_transactions(_list(body, "transactions"))
        },
        ("POST", "/_sandbox/transactions/remove"): lambda body: {
            "transaction_ids": state.remove_transactions(_list(body, "transaction_ids"))
        },
        ("POST", "/_sandbox/transactions/post"): lambda body: {
            "transaction_id": state.post_pending(
                str(body.get("transaction_id")), body.get("overrides")
            )
        },
        ("POST", "/_sandbox/items/state"): lambda body: {
            "item": state.set_item_state(
                str(body.get("item_id")),
                str(body.get("state")),
                body.get("consent_expiration_time"),
            )
        },
        ("POST", "/_sandbox/accounts/balances"): lambda body: {
            "account": state.bank.set_balances(
                str(body.get("account_id")), body.get("balances") or {}
            )
        },
        ("POST", "/_sandbox/flush"): lambda body: {
            "directory": str(state.bank.flush(body.get("directory")))
        },
    }


def _list(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key)
    if not isinstance(value, list):
        raise BankDataError([{"index": None, "reason": f"{key} must be a list"}])
    return value


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as plaid-python's urllib3 pool expects
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, payload: Any) -> None:
        data = wire.dumps(payload, indent=2).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return {}
        try:
            body = wire.loads(raw)
        except ValueError as exc:
            raise errors.invalid_request(
                "INVALID_BODY", f"body could not be parsed as JSON: {exc}"
            ) from exc
        if not isinstance(body, dict):
            raise errors.invalid_request("INVALID_BODY", "body must be a JSON object")
        return body

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path, _, query = self.path.partition("?")
        if path == link_standin.SCRIPT_PATH:
            self._send_text(200, link_standin.SCRIPT, "text/javascript")
        elif path == link_standin.PAGE_PATH:
            token = parse_qs(query).get("token", [""])[0]
            status, page = link_standin.link_page(self.server.state, token)
            self._send_text(status, page, "text/html")
        else:
            self._control("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        if path.startswith("/_sandbox/"):
            self._control("POST")
        elif path == link_standin.COMPLETE_PATH:
            try:
                self._send(200, link_standin.link_complete(self.server.state, self._body()))
            except errors.PlaidAPIError as exc:
                self._send(exc.status, exc.body(wire.request_id()))
        else:
            self._plaid(path)

    def _send_text(self, status: int, text: str, content_type: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _plaid(self, path: str) -> None:
        state = self.server.state
        request_id = wire.request_id()
        state.count_request(path)
        try:
            body = self._body()
            method = PLAID_ROUTES.get(path)
            if method is None:
                raise errors.PlaidAPIError(
                    404, "INVALID_REQUEST", "NOT_FOUND", f"unknown endpoint {path}"
                )
            self._check_credentials(body)
            if path not in FAULT_EXEMPT:
                state.faults.sleep_latency()
                fault = state.faults.roll()
                if fault == "error500":
                    raise errors.internal_server_error()
                if fault == "ratelimit":
                    raise errors.rate_limited(path)
            result = getattr(state, method)(body)
        except errors.PlaidAPIError as exc:
            state.count_error(exc.error_code)
            self._send(exc.status, exc.body(request_id))
            return
        except Exception as exc:  # a sandbox bug must still answer like Plaid would
            state.count_error("INTERNAL_SERVER_ERROR")
            error = errors.internal_server_error()
            error.error_message = f"sandbox error: {exc!r}"
            self._send(500, error.body(request_id))
            return
        self._send(200, {**result, "request_id": request_id})

    def _check_credentials(self, body: dict[str, Any]) -> None:
        client_id = self.headers.get("PLAID-CLIENT-ID") or body.get("client_id")
        secret = self.headers.get("PLAID-SECRET") or body.get("secret")
        if not client_id or not secret:
            raise errors.invalid_request(
                "MISSING_FIELDS",
                "the following required fields are missing: client_id, secret",
            )
        expected = self.server.credentials
        if expected and (client_id, secret) != expected:
            raise errors.invalid_input("INVALID_API_KEYS", "invalid client_id or secret provided")

    def _control(self, verb: str) -> None:
        path = self.path.split("?", 1)[0]
        handler = self.server.control_routes.get((verb, path))
        if handler is None:
            self._send(404, {"error": f"no control endpoint {verb} {path}"})
            return
        try:
            body = self._body() if verb == "POST" else {}
            self._send(200, handler(body))
        except BankDataError as exc:
            self._send(400, {"error": str(exc), "problems": exc.problems})
        except (FaultSpecError, errors.PlaidAPIError, ValueError, OSError) as exc:
            self._send(400, {"error": str(exc)})


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        state: SandboxState,
        credentials: tuple[str, str] | None = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(address, SandboxRequestHandler)
        self.state = state
        self.credentials = credentials
        self.verbose = verbose
        self.control_routes = _control_routes(state)


@dataclass
class SandboxHandle:
    """A running sandbox. Control methods act in-process (same effect as the /_sandbox/ API)."""

    server: SandboxHTTPServer
    thread: threading.Thread

    @property
    def state(self) -> SandboxState:
        return self.server.state

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.state.webhooks.stop()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # control
    def add_transactions(self, transactions: list[dict[str, Any]]) -> list[str]:
        return self.state.add_transactions(transactions)

    def modify_transactions(self, changes: list[dict[str, Any]]) -> list[str]:
        return self.state.modify_transactions(changes)

    def remove_transactions(self, transaction_ids: list[str]) -> list[str]:
        return self.state.remove_transactions(transaction_ids)

    def post_pending(self, transaction_id: str, **overrides: Any) -> str:
        return self.state.post_pending(transaction_id, overrides)

    def set_item_state(
        self, item_id: str, state: str, consent_expiration_time: str | None = None
    ) -> dict[str, Any]:
        return self.state.set_item_state(item_id, state, consent_expiration_time)

    def set_faults(self, spec: str | dict[str, Any] | None) -> dict[str, Any]:
        return self.state.set_faults(spec)

    def set_balances(self, account_id: str, **balances: Any) -> dict[str, Any]:
        return self.state.bank.set_balances(account_id, balances)

    def sign_webhook(self, body: bytes, iat: int | None = None) -> str:
        return self.state.keyring.sign(body, iat)

    def rotate_key(self) -> dict[str, Any]:
        return self.state.keyring.rotate().jwk()

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        return [d.as_dict() for d in self.state.webhooks.deliveries]

    def wait_webhooks(self, timeout: float = 5.0) -> bool:
        return self.state.webhooks.wait_idle(timeout)

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def flush(self, directory: str | Path | None = None) -> Path:
        return self.state.bank.flush(directory)


def start_sandbox(
    bank_dir: str | Path,
    port: int = 0,
    faults: str | dict[str, Any] | FaultSettings | None = None,
    *,
    host: str = "127.0.0.1",
    credentials: tuple[str, str] | None = None,
    strict: bool = False,
    verbose: bool = False,
) -> SandboxHandle:
    """Load `bank_dir` and serve it on host:port (0 = a free port) from a daemon thread."""
    bank = Bank.load(bank_dir)
    if strict and bank.load_report["rejected"]:
        raise BankDataError(bank.load_report["rejected"])
    settings = faults if isinstance(faults, FaultSettings) else parse_spec(faults)
    server = SandboxHTTPServer((host, port), SandboxState(bank, settings), credentials, verbose)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="plaid-sandbox",
        daemon=True,
    )
    thread.start()
    return SandboxHandle(server, thread)
