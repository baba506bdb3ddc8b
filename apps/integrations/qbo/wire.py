"""Shared pieces of the QBO client: limits, token sources, stats, exact-decimal JSON and the
query language's literals. No HTTP here (transport.py sends; client.py is the public face)."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

import requests
from urllib3.exceptions import NewConnectionError

from .errors import AuthenticationError

BATCH_LIMIT = 30  # items per batch request (Intuit blog 2023; design for 30)
QUERY_PAGE_MAX = 1000
CDC_MAX_OBJECTS = 1000
VOID_BY_UPDATE = frozenset({"payment", "billpayment"})
QUERY_GET_MAX = 1500  # longer queries are POSTed (URLs past a few KB get refused on the way)
REQUEST_ID_MAX = 50
BATCH_REQUEST_ID_MAX = 36
# Extra data asked for with every query and read of an entity: an invoice's pay-online page
# (`InvoiceLink`, minor version 36+; present only when QuickBooks has one, docs/collections.md).
INCLUDES = {"invoice": "invoiceLink"}
QUERY_ENTITY = re.compile(r"\s*SELECT\s.+?\sFROM\s+(\w+)", re.I | re.S)
_META_KEYS = frozenset({"startPosition", "maxResults", "totalCount"})
# Entities whose responses (read, write, query, CDC) wrap them under another key than their name.
RESPONSE_KEYS = {"CreditCardPayment": "CreditCardPaymentTxn"}
_ENTITY_OF_KEY = {key.lower(): entity for entity, key in RESPONSE_KEYS.items()}


def _includes(entity: str) -> dict[str, str]:
    include = INCLUDES.get(entity.lower())
    return {"include": include} if include else {}


def entity_of_key(key: str) -> str:
    """The entity name a response key stands for (``CreditCardPaymentTxn`` → CreditCardPayment)."""
    return _ENTITY_OF_KEY.get(key.lower(), key)


class TokenSource(Protocol):
    """Where the client gets access tokens. ``refresh()`` is called once after a 401."""

    def access_token(self) -> str: ...

    def refresh(self) -> str: ...


@dataclass
class StaticTokens:
    """A TokenSource holding one token (scripts, tests); refresh re-reads ``refresher`` if set."""

    token: str
    refresher: Any = None  # callable returning a new access token

    def access_token(self) -> str:
        return self.token

    def refresh(self) -> str:
        if self.refresher is None:
            raise AuthenticationError("access token rejected and no way to refresh it", status=401)
        self.token = self.refresher()
        return self.token


@dataclass
class ClientStats:
    """What the client sent. ``requests`` counts HTTP requests, retries included."""

    requests: int = 0
    by_op: Counter = field(default_factory=Counter)
    retries: int = 0
    refreshes: int = 0
    throttled: int = 0
    transport_errors: int = 0

    def reset(self) -> None:
        self.requests = self.retries = self.refreshes = self.throttled = 0
        self.transport_errors = 0
        self.by_op.clear()


class CdcResult(dict):
    """``{entity: [objects]}`` plus the server ``time`` (use it as the next changedSince)."""

    time: datetime | None = None
    truncated: bool = False  # 1000 objects came back: more changes may be waiting
    # Entities read by LastUpdatedTime query because even their own CDC was capped: their
    # updates are complete, but deletions only as far as the capped CDC showed them.
    queried: frozenset[str] = frozenset()


# --- JSON with exact decimals ------------------------------------------------------------

_DEC_MARK = "\u0000dec:"
_DEC_RE = re.compile('"\\\\u0000dec:(-?[0-9.Ee+-]+)"')


def _mark_decimals(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{_DEC_MARK}{value}"
    if isinstance(value, dict):
        return {k: _mark_decimals(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mark_decimals(v) for v in value]
    return value


def dumps(payload: Any) -> bytes:
    """JSON-encode with Decimals written as exact JSON numbers (never through float)."""
    text = json.dumps(_mark_decimals(payload), separators=(",", ":"))
    return _DEC_RE.sub(r"\1", text).encode()


def loads(content: bytes) -> Any:
    return json.loads(content, parse_float=Decimal)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_qbo_time(moment: datetime) -> str:
    """ISO timestamp with offset, as CDC's changedSince and query literals expect."""
    if moment.tzinfo is None:
        raise ValueError("changedSince must be timezone-aware")
    return moment.isoformat(timespec="seconds")


def qbo_literal(value: str | datetime) -> str:
    """A quoted literal for the query language (``WHERE DisplayName = {qbo_literal(name)}``)."""
    if isinstance(value, datetime):
        value = format_qbo_time(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request surely did not reach the server (safe to call unambiguous)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def _entity_list(query_response: Any) -> list[dict[str, Any]]:
    if not isinstance(query_response, dict):
        return []
    for key, value in query_response.items():
        if key not in _META_KEYS and isinstance(value, list):
            return value
    return []
