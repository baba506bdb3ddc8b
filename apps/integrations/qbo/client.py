"""HTTP client for the QBO Accounting API v3: plain dicts in, plain dicts out.

Reliability rules (DESIGN §5, reference/qbo-api-facts.md):
- Every request takes a slot from the per-realm limiter (when one is given).
- A 401 refreshes the access token once through the TokenSource, then the request is re-sent.
- Reads are retried on 429 / 5xx / timeouts with exponential backoff and full jitter.
- Every write carries ``?requestid=<key>`` (QBO's idempotency key) and is retried with the SAME
  key, which QBO answers with the first response instead of writing twice. If no attempt got a
  definite answer, the write raises ``TransportError(ambiguous=True)``: it may have committed.
- ``stats`` counts the HTTP requests really sent, so tests can bound the cost of a sync.
"""

from __future__ import annotations

import uuid
from typing import Any

from .client_reads import QboReads
from .client_writes import QboWrites
from .errors import QboError, error_from_response

# Re-exported: callers import these from here (the client's public face).
from .transport import QboTransport
from .wire import (
    BATCH_LIMIT,
    BATCH_REQUEST_ID_MAX,
    CDC_MAX_OBJECTS,
    INCLUDES,
    QUERY_ENTITY,
    QUERY_GET_MAX,
    QUERY_PAGE_MAX,
    REQUEST_ID_MAX,
    RESPONSE_KEYS,
    VOID_BY_UPDATE,
    CdcResult,
    ClientStats,
    StaticTokens,
    TokenSource,
    dumps,
    entity_of_key,
    format_qbo_time,
    loads,
    qbo_literal,
)

__all__ = [
    "BATCH_LIMIT", "BATCH_REQUEST_ID_MAX", "CDC_MAX_OBJECTS", "INCLUDES", "QUERY_ENTITY",
    "QUERY_GET_MAX", "QUERY_PAGE_MAX", "REQUEST_ID_MAX", "RESPONSE_KEYS", "VOID_BY_UPDATE",
    "CdcResult", "ClientStats", "QboClient", "QboTransport", "StaticTokens", "TokenSource",
    "batch_item_error", "dumps", "entity_of_key", "format_qbo_time", "loads", "new_request_id",
    "qbo_literal",
]


class QboClient(QboReads, QboWrites):
    """The QBO Accounting API client: transport (transport.py), reads and CDC (client_reads.py),
    writes, attachments and invoice sending (client_writes.py)."""


def batch_item_error(item: dict[str, Any]) -> QboError | None:
    """The typed error of one BatchItemResponse item, or None when it succeeded."""
    if "Fault" not in item:
        return None
    return error_from_response(400, {"Fault": item["Fault"]})


def new_request_id() -> str:
    """A fresh idempotency key (QBO recommends a UUID)."""
    return str(uuid.uuid4())
