"""Everything the sandbox knows: the bank, the items linked to it, tokens, faults, keys.

Plaid endpoints are methods `plaid_<path>` taking the parsed request body; control endpoints
(under /_sandbox/, not part of Plaid) are methods `control_<name>`.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from . import errors, wire
from .bank import Bank, BankDataError
from .faults import FaultInjector, FaultSettings, parse_spec
from .signing import KeyRing
from .webhook_sender import WebhookSender

INSTITUTION_ID = "ins_109508"
INSTITUTION_NAME = "First Platypus Bank"
PRODUCTS = ["transactions"]
DEFAULT_COUNT = 100
MAX_COUNT = 500
ITEM_STATES = ("HEALTHY", "ITEM_LOGIN_REQUIRED", "PENDING_EXPIRATION")


@dataclass
class Item:
    item_id: str
    access_token: str
    webhook: str | None
    created_at: float = field(default_factory=time.time)
    error: dict[str, Any] | None = None
    consent_expiration_time: str | None = None
    removed: bool = False
    # Plaid sends SYNC_UPDATES_AVAILABLE only once /transactions/sync was called on the item.
    sync_called: bool = False
    last_sync_at: float | None = None
    last_webhook: dict[str, Any] | None = None

    def as_plaid(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "institution_id": INSTITUTION_ID,
            "institution_name": INSTITUTION_NAME,
            "webhook": self.webhook,
            "auth_method": None,
            "error": self.error,
            "available_products": ["balance"],
            "billed_products": PRODUCTS,
            "products": PRODUCTS,
            "consented_products": PRODUCTS,
            "consent_expiration_time": self.consent_expiration_time,
            "update_type": "background",
            "created_at": wire.iso_at(self.created_at),
        }


def encode_cursor(item_id: str, position: int, pagination_head: int | None) -> str:
    raw = f"v1|{item_id}|{position}|{'' if pagination_head is None else pagination_head}"
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, item_id: str) -> tuple[int, int | None]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, owner, position, head = (
            base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8").split("|")
        )
        if version != "v1" or owner != item_id:
            raise ValueError
        return int(position), (int(head) if head else None)
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise errors.invalid_input("INVALID_FIELD", "cursor is not valid for this item") from exc


def _require(body: dict[str, Any], *names: str) -> None:
    missing = [name for name in names if body.get(name) in (None, "", [])]
    if missing:
        raise errors.invalid_request(
            "MISSING_FIELDS", f"the following required fields are missing: {', '.join(missing)}"
        )


class SandboxState:
    def __init__(self, bank: Bank, faults: FaultSettings | None = None) -> None:
        self.bank = bank
        self.faults = FaultInjector(faults or FaultSettings())
        self.keyring = KeyRing()
        self.webhooks = WebhookSender(self.keyring)
        self.lock = threading.RLock()
        self.items: dict[str, Item] = {}
        self.by_token: dict[str, Item] = {}
        self.link_tokens: dict[str, dict[str, Any]] = {}
        self.public_tokens: dict[str, dict[str, Any]] = {}
        self.requests: dict[str, int] = {}
        self.errors_sent: dict[str, int] = {}
        self.started_at = time.time()

    # ---- helpers -------------------------------------------------------------------------
    def count_request(self, path: str) -> None:
        with self.lock:
            self.requests[path] = self.requests.get(path, 0) + 1

    def count_error(self, code: str) -> None:
        with self.lock:
            self.errors_sent[code] = self.errors_sent.get(code, 0) + 1

    def _item(self, body: dict[str, Any], *, allow_error: bool = False) -> Item:
        _require(body, "access_token")
        token = body["access_token"]
        item = self.by_token.get(token) if isinstance(token, str) else None
        if item is None:
            raise errors.invalid_input(
                "INVALID_ACCESS_TOKEN", "provided access token is in an invalid format"
            )
        if item.removed:
            raise errors.item_error("ITEM_NOT_FOUND", "the requested item was not found")
        if item.error and not allow_error:
            raise errors.PlaidAPIError(
                400,
                item.error["error_type"],
                item.error["error_code"],
                item.error["error_message"],
                item.error["display_message"],
            )
        return item

    def _accounts(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        wanted = (body.get("options") or {}).get("account_ids")
        accounts = list(self.bank.accounts.values())
        if wanted:
            unknown = [a for a in wanted if a not in self.bank.accounts]
            if unknown:
                raise errors.invalid_input(
                    "INVALID_ACCOUNT_ID", f"account_ids not found: {', '.join(map(str, unknown))}"
                )
            accounts = [a for a in accounts if a["account_id"] in wanted]
        return accounts

    def _fire(self, item: Item, body: dict[str, Any]) -> None:
        if not item.webhook or item.removed:
            return
        item.last_webhook = {"sent_at": wire.iso_now(), "code_sent": body["webhook_code"]}
        self.webhooks.send(
            item.webhook, {**body, "item_id": item.item_id, "environment": "sandbox"}
        )

    def _sync_updates_available(self) -> None:
        for item in list(self.items.values()):
            if item.sync_called and not item.removed:
                self._fire(
                    item,
                    {
                        "webhook_type": "TRANSACTIONS",
                        "webhook_code": "SYNC_UPDATES_AVAILABLE",
                        "initial_update_complete": True,
                        "historical_update_complete": True,
                    },
                )

    # ---- Plaid endpoints -----------------------------------------------------------------
    def plaid_link_token_create(self, body: dict[str, Any]) -> dict[str, Any]:
        _require(body, "client_name", "language", "country_codes", "user")
        user = body.get("user") or {}
        if not user.get("client_user_id"):
            raise errors.invalid_request(
                "MISSING_FIELDS", "the following required fields are missing: user.client_user_id"
            )
        if body.get("access_token"):  # update mode: the item must exist
            self._item({"access_token": body["access_token"]}, allow_error=True)
        elif not body.get("products"):
            raise errors.invalid_request(
                "MISSING_FIELDS", "the following required fields are missing: products"
            )
        token = f"link-sandbox-{uuid.uuid4()}"
        expires = time.time() + 4 * 3600
        with self.lock:
            self.link_tokens[token] = {"webhook": body.get("webhook"), "user": user,
                                       "access_token": body.get("access_token"),
                                       "expires_at": expires}
        return {"link_token": token, "expiration": wire.iso_at(expires)}

    def plaid_sandbox_public_token_create(self, body: dict[str, Any]) -> dict[str, Any]:
        # Real Plaid's sandbox shortcut for the user's trip through Link.
        _require(body, "institution_id", "initial_products")
        token = f"public-sandbox-{uuid.uuid4()}"
        with self.lock:
            self.public_tokens[token] = {"webhook": (body.get("options") or {}).get("webhook")}
        return {"public_token": token}

    def plaid_item_public_token_exchange(self, body: dict[str, Any]) -> dict[str, Any]:
        _require(body, "public_token")
        with self.lock:
            grant = self.public_tokens.pop(body["public_token"], None)
            if grant is None:
                raise errors.invalid_input(
                    "INVALID_PUBLIC_TOKEN", "provided public token is expired or was already used"
                )
            item = Item(
                item_id=uuid.uuid4().hex,
                access_token=f"access-sandbox-{uuid.uuid4()}",
                webhook=grant["webhook"],
            )
            self.items[item.item_id] = item
            self.by_token[item.access_token] = item
        return {"access_token": item.access_token, "item_id": item.item_id}

    def plaid_accounts_get(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item(body)
        return {"accounts": self._accounts(body), "item": item.as_plaid()}

    def plaid_accounts_balance_get(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item(body)
        now = wire.iso_now()
        accounts = [
            {**a, "balances": {**a["balances"], "last_updated_datetime": now}}
            for a in self._accounts(body)
        ]
        return {"accounts": accounts, "item": item.as_plaid()}

    def plaid_item_get(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item(body, allow_error=True)
        last = wire.iso_at(item.last_sync_at) if item.last_sync_at else None
        return {
            "item": item.as_plaid(),
            "status": {
                "transactions": {"last_successful_update": last, "last_failed_update": None},
                "last_webhook": item.last_webhook,
            },
        }

    def plaid_item_remove(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item(body, allow_error=True)
        item.removed = True
        return {}

    def plaid_transactions_refresh(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item(body)
        if item.sync_called:
            self._fire(
                item,
                {
                    "webhook_type": "TRANSACTIONS",
                    "webhook_code": "SYNC_UPDATES_AVAILABLE",
                    "initial_update_complete": True,
                    "historical_update_complete": True,
                },
            )
        return {}

    def plaid_transactions_sync(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item(body)
        if not self.faults.sync_allowed(item.item_id):
            raise errors.rate_limited("/transactions/sync")
        count = body.get("count", DEFAULT_COUNT)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
            raise errors.invalid_request(
                "INVALID_FIELD", f"count must be an integer between 1 and {MAX_COUNT}"
            )
        cursor = body.get("cursor") or ""
        start, pagination_head = decode_cursor(cursor, item.item_id) if cursor else (0, None)
        with self.bank.lock:
            if start > self.bank.head:
                raise errors.invalid_input("INVALID_FIELD", "cursor is not valid for this item")
            if pagination_head is not None and (
                self.bank.head != pagination_head or self.faults.take_mutation()
            ):
                raise errors.mutation_during_pagination()
            page = self.bank.page(start, count)
            head = self.bank.head
        item.sync_called = True
        item.last_sync_at = time.time()
        empty = head == 0 and not cursor
        return {
            "added": page.added,
            "modified": page.modified,
            "removed": page.removed,
            "accounts": list(self.bank.accounts.values()),
            "next_cursor": ""
            if empty
            else encode_cursor(item.item_id, page.end, head if page.has_more else None),
            "has_more": page.has_more,
            "transactions_update_status": "HISTORICAL_UPDATE_COMPLETE",
        }

    def plaid_webhook_verification_key_get(self, body: dict[str, Any]) -> dict[str, Any]:
        _require(body, "key_id")
        key = self.keyring.get(body["key_id"])
        if key is None:
            raise errors.invalid_input(
                "INVALID_WEBHOOK_VERIFICATION_KEY_ID", "invalid key_id provided"
            )
        return {"key": key.jwk()}

    def plaid_sandbox_item_fire_webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item(body, allow_error=True)
        code = body.get("webhook_code")
        if code not in ("SYNC_UPDATES_AVAILABLE", "DEFAULT_UPDATE", "NEW_ACCOUNTS_AVAILABLE"):
            raise PlaidSandboxError(
                "SANDBOX_WEBHOOK_INVALID", f"webhook_code {code!r} not supported"
            )
        if not item.webhook:
            raise PlaidSandboxError("SANDBOX_WEBHOOK_INVALID", "the item has no webhook URL")
        extra: dict[str, Any] = (
            {"initial_update_complete": True, "historical_update_complete": True}
            if code == "SYNC_UPDATES_AVAILABLE"
            else {}
        )
        webhook_type = "ITEM" if code == "NEW_ACCOUNTS_AVAILABLE" else "TRANSACTIONS"
        self._fire(item, {"webhook_type": webhook_type, "webhook_code": code, **extra})
        return {"webhook_fired": True}

    def plaid_sandbox_item_reset_login(self, body: dict[str, Any]) -> dict[str, Any]:
        item = self._item(body, allow_error=True)
        self.set_item_state(item.item_id, "ITEM_LOGIN_REQUIRED")
        return {"reset_login": True}

    # ---- control API (/_sandbox/...) -----------------------------------------------------
    def set_item_state(
        self, item_id: str, state: str, consent_expiration_time: str | None = None
    ) -> dict[str, Any]:
        item = self.items.get(item_id)
        if item is None:
            raise BankDataError([{"index": None, "reason": f"unknown item_id {item_id!r}"}])
        if state not in ITEM_STATES:
            raise BankDataError([{"index": None, "reason": f"state must be one of {ITEM_STATES}"}])
        was_broken = item.error is not None
        if state == "ITEM_LOGIN_REQUIRED":
            error = errors.login_required().body(wire.request_id())
            item.error = error
            self._fire(
                item,
                {
                    "webhook_type": "ITEM",
                    "webhook_code": "ERROR",
                    "error": {**error, "status": 400},
                },
            )
        elif state == "PENDING_EXPIRATION":
            item.consent_expiration_time = consent_expiration_time or wire.iso_at(
                time.time() + 7 * 86400
            )
            self._fire(
                item,
                {
                    "webhook_type": "ITEM",
                    "webhook_code": "PENDING_EXPIRATION",
                    "consent_expiration_time": item.consent_expiration_time,
                },
            )
        else:
            item.error = None
            item.consent_expiration_time = None
            if was_broken:
                self._fire(item, {"webhook_type": "ITEM", "webhook_code": "LOGIN_REPAIRED"})
        return item.as_plaid()

    def add_transactions(self, transactions: list[Any]) -> list[str]:
        ids = self.bank.add(transactions)
        self._sync_updates_available()
        return ids

    def modify_transactions(self, changes: list[Any]) -> list[str]:
        ids = self.bank.modify(changes)
        self._sync_updates_available()
        return ids

    def remove_transactions(self, transaction_ids: list[Any]) -> list[str]:
        ids = self.bank.remove(transaction_ids)
        self._sync_updates_available()
        return ids

    def post_pending(self, transaction_id: str, overrides: dict[str, Any] | None = None) -> str:
        posted = self.bank.post_pending(transaction_id, overrides)
        self._sync_updates_available()
        return posted

    def set_faults(self, spec: str | dict[str, Any] | None) -> dict[str, Any]:
        self.faults.configure(parse_spec(spec, self.faults.settings))
        return self.faults.settings.as_dict()

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "uptime_seconds": round(time.time() - self.started_at, 3),
                "accounts": len(self.bank.accounts),
                "transactions": len(self.bank.transactions),
                "log_length": self.bank.head,
                "items": [
                    {
                        "item_id": i.item_id,
                        "removed": i.removed,
                        "error": i.error["error_code"] if i.error else None,
                        "consent_expiration_time": i.consent_expiration_time,
                    }
                    for i in self.items.values()
                ],
                "requests": dict(self.requests),
                "errors": dict(self.errors_sent),
                "faults": self.faults.settings.as_dict(),
                "faults_injected": dict(self.faults.injected),
                "webhooks_sent": len(self.webhooks.deliveries),
                "webhooks_failed": sum(
                    1 for d in self.webhooks.deliveries if d.error or (d.status or 0) >= 300
                ),
                "load_report": self.bank.load_report,
            }


class PlaidSandboxError(errors.PlaidAPIError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(400, "SANDBOX_ERROR", code, message)
