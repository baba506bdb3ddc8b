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

import json
import re
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

import requests
from urllib3.exceptions import NewConnectionError

from apps.integrations.retry import RetryPolicy

from .errors import (
    AuthenticationError,
    QboError,
    TransportError,
    error_from_response,
)

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


class QboClient:
    def __init__(
        self,
        base_url: str,
        realm_id: str,
        tokens: TokenSource,
        *,
        limiter: Any = None,
        retry: RetryPolicy | None = None,
        minorversion: int = 75,
        timeout: float | tuple[float, float] = (3.05, 30),
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.realm_id = str(realm_id)
        self.tokens = tokens
        self.limiter = limiter
        self.retry = retry or RetryPolicy()
        self.minorversion = minorversion
        self.timeout = timeout
        self.session = session or requests.Session()
        self.stats = ClientStats()
        self._stats_lock = threading.Lock()

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/v3/company/{self.realm_id}"

    # --- transport ----------------------------------------------------------------------

    def _count(self, op: str, **extra: int) -> None:
        with self._stats_lock:
            self.stats.requests += 1
            self.stats.by_op[op] += 1
            for name, n in extra.items():
                setattr(self.stats, name, getattr(self.stats, name) + n)

    def _bump(self, name: str) -> None:
        with self._stats_lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)

    def _send(
        self,
        method: str,
        path: str,
        *,
        op: str,
        params: dict[str, Any] | None,
        body: bytes | None,
        content_type: str | None,
        accept: str,
    ) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {self.tokens.access_token()}",
            "Accept": accept,
        }
        if content_type:
            headers["Content-Type"] = content_type
        slot = self.limiter.slot(self.realm_id) if self.limiter is not None else nullcontext()
        with slot:
            self._count(op)
            return self.session.request(
                method,
                f"{self.api_base}/{path}",
                params=params,
                data=body,
                headers=headers,
                timeout=self.timeout,
            )

    def _request(
        self,
        method: str,
        path: str,
        *,
        op: str,
        params: dict[str, Any] | None = None,
        payload: Any = None,
        raw_body: bytes | None = None,
        content_type: str | None = None,
        write: bool = False,
        request_id: str | None = None,
        accept: str = "application/json",
    ) -> requests.Response:
        """Send with limiter, 401-refresh-once and retries; return the 2xx response."""
        params = dict(params or {})
        params["minorversion"] = self.minorversion
        if write:
            if not request_id:
                raise ValueError("every QBO write needs a request_id (the idempotency key)")
            if len(request_id) > REQUEST_ID_MAX:
                raise ValueError(f"request_id longer than {REQUEST_ID_MAX} characters")
            params["requestid"] = request_id
        body = raw_body
        if payload is not None:
            body = dumps(payload)
            content_type = content_type or "application/json"

        refreshed = False
        ambiguous_seen = False
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = self._send(
                    method,
                    path,
                    op=op,
                    params=params,
                    body=body,
                    content_type=content_type,
                    accept=accept,
                )
            except requests.RequestException as exc:
                self._bump("transport_errors")
                ambiguous = write and not _never_sent(exc)
                ambiguous_seen = ambiguous_seen or ambiguous
                error: QboError = TransportError(
                    f"{type(exc).__name__}: {exc}", ambiguous=ambiguous_seen
                )
                if attempt < self.retry.max_attempts:
                    self._bump("retries")
                    self.retry.wait(attempt)
                    continue
                raise error from exc

            if 200 <= resp.status_code < 300:
                return resp
            if resp.status_code == 401 and not refreshed:
                # Access tokens live one hour: refresh once and re-send (not an "attempt").
                refreshed = True
                self._bump("refreshes")
                self.tokens.refresh()
                attempt -= 1
                continue
            error = error_from_response(resp.status_code, resp.content, dict(resp.headers))
            if resp.status_code == 429:
                self._bump("throttled")
            if error.retryable and attempt < self.retry.max_attempts:
                self._bump("retries")
                self.retry.wait(attempt, getattr(error, "retry_after", None))
                continue
            if write and ambiguous_seen and error.retryable:
                # An earlier attempt may have committed and every later one failed
                # transiently: we cannot say whether the write happened.
                raise TransportError(
                    f"write outcome unknown after {attempt} attempts; last: {error}",
                    ambiguous=True,
                    status=error.status,
                    intuit_tid=error.intuit_tid,
                ) from error
            raise error

    def _json(self, resp: requests.Response) -> dict[str, Any]:
        try:
            data = loads(resp.content)
        except ValueError as exc:
            raise QboError(
                f"response is not JSON: {resp.content[:200]!r}",
                status=resp.status_code,
                intuit_tid=resp.headers.get("intuit_tid", ""),
            ) from exc
        if isinstance(data, dict) and "Fault" in data:
            raise error_from_response(resp.status_code, data, dict(resp.headers))
        return data

    def _get(self, path: str, *, op: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._json(self._request("GET", path, op=op, params=params))

    def _write(
        self,
        path: str,
        payload: Any,
        *,
        op: str,
        request_id: str,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        resp = self._request(
            "POST",
            path,
            op=op,
            params=params,
            payload=payload,
            write=True,
            request_id=request_id,
        )
        return self._json(resp)

    @staticmethod
    def _entity_from(data: dict[str, Any], entity: str) -> dict[str, Any]:
        for key, value in data.items():
            if entity_of_key(key).lower() == entity.lower() and isinstance(value, dict):
                return value
        raise QboError(f"response has no {entity} object: keys {sorted(data)}")

    # --- queries --------------------------------------------------------------------------

    def query(self, sql: str) -> list[dict[str, Any]]:
        """One page of a query (QBO caps MAXRESULTS at 1000; the default is 100). A long
        query (an ``Id IN (…)`` list) is POSTed as text, as Intuit allows, never put in a URL
        that proxies and servers may refuse."""
        found = QUERY_ENTITY.match(sql)
        extra = _includes(found.group(1) if found else "")
        if len(sql) > QUERY_GET_MAX:
            resp = self._request("POST", "query", op="query", raw_body=sql.encode("utf-8"),
                                 content_type="application/text", params=extra)
            data = self._json(resp)
        else:
            data = self._get("query", op="query", params={"query": sql, **extra})
        return _entity_list(data.get("QueryResponse"))

    def query_all(
        self,
        entity: str,
        where: str = "",
        page_size: int = QUERY_PAGE_MAX,
        *,
        order_by: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield pages of ``SELECT * FROM entity`` until a short page (totalCount unused)."""
        if not 1 <= page_size <= QUERY_PAGE_MAX:
            raise ValueError(f"page_size must be 1..{QUERY_PAGE_MAX}")
        base = f"SELECT * FROM {entity}"
        if where:
            base += f" WHERE {where}"
        if order_by:
            base += f" ORDERBY {order_by}"
        start = 1
        while True:
            page = self.query(f"{base} STARTPOSITION {start} MAXRESULTS {page_size}")
            if page:
                yield page
            if len(page) < page_size:
                return
            start += page_size

    def count(self, entity: str, where: str = "") -> int:
        sql = f"SELECT COUNT(*) FROM {entity}" + (f" WHERE {where}" if where else "")
        data = self._get("query", op="count", params={"query": sql})
        response = data.get("QueryResponse") or {}
        return int(response.get("totalCount", 0))

    def read(self, entity: str, qbo_id: str) -> dict[str, Any]:
        data = self._get(f"{entity.lower()}/{qbo_id}", op="read", params=_includes(entity))
        return self._entity_from(data, entity)

    def exchange_rate(self, source_currency: str, as_of: date | None = None) -> dict[str, Any]:
        """``GET exchangerate?sourcecurrencycode=..&asofdate=..``: the rate of one currency on
        one date (QBO answers with the latest rate on or before it; today when no date)."""
        params = {"sourcecurrencycode": source_currency}
        if as_of is not None:
            params["asofdate"] = as_of.isoformat()
        data = self._get("exchangerate", op="read", params=params)
        return self._entity_from(data, "ExchangeRate")

    def company_info(self) -> dict[str, Any]:
        data = self._get(f"companyinfo/{self.realm_id}", op="read")
        return self._entity_from(data, "CompanyInfo")

    def preferences(self) -> dict[str, Any]:
        data = self._get("preferences", op="read")
        return self._entity_from(data, "Preferences")

    # --- change data capture ----------------------------------------------------------------

    def cdc(self, entities: Sequence[str], changed_since: datetime) -> CdcResult:
        """Objects of ``entities`` changed since ``changed_since`` (≤ 30 days back).

        One request for any number of entity types; deleted objects come back as
        ``{"Id", "status": "Deleted"}``. ``result.time`` is QBO's clock for the next call;
        ``result.truncated`` means the 1000-object cap was hit (see ``cdc_all``).
        """
        params = {"entities": ",".join(entities), "changedSince": format_qbo_time(changed_since)}
        data = self._get("cdc", op="cdc", params=params)
        result = CdcResult({entity: [] for entity in entities})
        total = 0
        by_lower = {e.lower(): e for e in entities}
        for block in data.get("CDCResponse") or []:
            for response in (block or {}).get("QueryResponse") or []:
                for key, value in (response or {}).items():
                    if key in _META_KEYS or not isinstance(value, list):
                        continue
                    name = by_lower.get(entity_of_key(key).lower(), key)
                    result.setdefault(name, []).extend(value)
                    total += len(value)
        result.time = _parse_time(data.get("time"))
        result.truncated = total >= CDC_MAX_OBJECTS
        return result

    def cdc_all(self, entities: Sequence[str], changed_since: datetime) -> CdcResult:
        """Every change since ``changed_since``, even past CDC's 1,000-object cap.

        A capped response holds *some* 1,000 changes — Intuit does not say which (not the
        oldest), so moving changedSince forward could skip changes. Instead: ask again per
        entity; an entity whose own CDC is still capped is read with a paged
        ``MetaData.LastUpdatedTime >=`` query (no cap), keeping the deletions its CDC showed.
        ``time`` is the first call's clock, so the next window overlaps rather than skips.
        """
        first = self.cdc(entities, changed_since)
        if not first.truncated:
            return first
        result = CdcResult({entity: [] for entity in entities})
        result.time, queried = first.time, set()
        for entity in entities:
            own = self.cdc([entity], changed_since)
            if not own.truncated:
                result[entity] = own.get(entity, [])
                continue
            rows = {str(r.get("Id")): r for r in own.get(entity, [])
                    if str(r.get("status", "")).lower() == "deleted"}
            where = f"MetaData.LastUpdatedTime >= {qbo_literal(changed_since)}"
            for page in self.query_all(entity, where, order_by="MetaData.LastUpdatedTime"):
                rows.update((str(r.get("Id")), r) for r in page)
            result[entity] = list(rows.values())
            queried.add(entity)
        result.queried = frozenset(queried)
        return result

    # --- writes -------------------------------------------------------------------------------

    def create(self, entity: str, payload: dict[str, Any], *, request_id: str) -> dict[str, Any]:
        data = self._write(entity.lower(), payload, op="create", request_id=request_id)
        return self._entity_from(data, entity)

    def update(
        self,
        entity: str,
        payload: dict[str, Any],
        *,
        request_id: str,
        sparse: bool = True,
    ) -> dict[str, Any]:
        """Update by Id + SyncToken. Sparse (the default) changes only the fields sent."""
        if "Id" not in payload or "SyncToken" not in payload:
            raise ValueError("update needs Id and SyncToken in the payload")
        body = dict(payload, sparse=True) if sparse else dict(payload)
        if not sparse:
            body.pop("sparse", None)
        data = self._write(
            entity.lower(),
            body,
            op="update",
            request_id=request_id,
            params={"operation": "update"},
        )
        return self._entity_from(data, entity)

    def delete(
        self, entity: str, qbo_id: str, sync_token: str, *, request_id: str
    ) -> dict[str, Any]:
        data = self._write(
            entity.lower(),
            {"Id": str(qbo_id), "SyncToken": str(sync_token)},
            op="delete",
            request_id=request_id,
            params={"operation": "delete"},
        )
        return self._entity_from(data, entity)

    def void(self, entity: str, qbo_id: str, sync_token: str, *, request_id: str) -> dict[str, Any]:
        """Void a transaction in the form Intuit documents for its entity: Payment and
        BillPayment are a sparse ``operation=update&include=void``; Invoice, SalesReceipt …
        use ``operation=void``."""
        body: dict[str, Any] = {"Id": str(qbo_id), "SyncToken": str(sync_token)}
        if entity.lower() in VOID_BY_UPDATE:
            params = {"operation": "update", "include": "void"}
            body["sparse"] = True
        else:
            params = {"operation": "void"}
        data = self._write(entity.lower(), body, op="void", request_id=request_id, params=params)
        return self._entity_from(data, entity)

    def batch(
        self, items: Iterable[dict[str, Any]], *, request_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Send BatchItemRequest items, ``BATCH_LIMIT`` per request; answers in input order.

        Items without ``bId`` get one. Each chunk is a write with its own requestid
        (``<request_id>-<n>``, ≤ 36 chars as QBO requires), so a retried chunk is not applied
        twice. A per-item failure comes back as an item with ``Fault``: see ``batch_item_error``.
        """
        items = [dict(item) for item in items]
        prefix = request_id or uuid.uuid4().hex[:30]
        results: list[dict[str, Any]] = []
        for n, start in enumerate(range(0, len(items), BATCH_LIMIT)):
            chunk = items[start : start + BATCH_LIMIT]
            for i, item in enumerate(chunk):
                item.setdefault("bId", f"b{start + i}")
            chunk_id = f"{prefix}-{n}"
            if len(chunk_id) > BATCH_REQUEST_ID_MAX:
                raise ValueError(f"batch request_id must leave room for '-{n}' within 36 chars")
            data = self._write(
                "batch", {"BatchItemRequest": chunk}, op="batch", request_id=chunk_id
            )
            by_bid = {str(r.get("bId")): r for r in data.get("BatchItemResponse") or []}
            for item in chunk:
                results.append(by_bid.get(str(item["bId"]), {"bId": item["bId"], "missing": True}))
        return results

    # --- attachments --------------------------------------------------------------------------

    def upload_attachment(
        self,
        *,
        entity: str,
        entity_id: str,
        filename: str,
        content_type: str,
        data: bytes,
        request_id: str,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Upload a file and link it to ``entity``/``entity_id`` (``POST upload``, multipart).

        Retried like every write with the same requestid (the body, boundary included, is built
        once). QBO answers per file, batch-style: a file it refused raises the typed error of
        that item's Fault. Returns the ``Attachable`` (Id, FileName, Size, TempDownloadUri...).
        """
        metadata: dict[str, Any] = {
            "AttachableRef": [
                {"EntityRef": {"type": entity, "value": str(entity_id)}, "IncludeOnSend": False}
            ],
            "FileName": filename,
            "ContentType": content_type,
        }
        if note:
            metadata["Note"] = note
        body, multipart_type = _multipart(
            [
                ("file_metadata_0", None, "application/json", dumps(metadata)),
                ("file_content_0", filename, content_type, data),
            ]
        )
        resp = self._request(
            "POST",
            "upload",
            op="upload",
            raw_body=body,
            content_type=multipart_type,
            write=True,
            request_id=request_id,
        )
        items = self._json(resp).get("AttachableResponse") or []
        item = items[0] if items and isinstance(items[0], dict) else {}
        if "Fault" in item:
            raise error_from_response(400, {"Fault": item["Fault"]}, dict(resp.headers))
        if not isinstance(item.get("Attachable"), dict):
            raise QboError(f"upload response has no Attachable: {resp.content[:200]!r}")
        return item["Attachable"]

    def attachment_url(self, attachable_id: str) -> str:
        """A fresh temporary download URL for an uploaded file (``GET download/{id}``)."""
        resp = self._request("GET", f"download/{attachable_id}", op="download")
        text = resp.content.decode("utf-8", "replace").strip()
        if text.startswith("{"):
            return str(self._json(resp).get("TempDownloadUri") or "")
        return text.strip('"')  # QBO answers the URL as plain text

    def download_attachment(self, attachable_id: str) -> bytes:
        """The bytes of an uploaded file (through its temporary URL, which needs no token)."""
        url = self.attachment_url(attachable_id)
        if not url:
            raise QboError(f"no download URL for Attachable {attachable_id}")
        try:
            resp = self.session.get(url, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code != 200:
            raise QboError(
                f"download of Attachable {attachable_id}: HTTP {resp.status_code}",
                status=resp.status_code,
            )
        return resp.content

    # --- invoices -----------------------------------------------------------------------------

    def send_invoice(
        self, qbo_id: str, *, send_to: str | None = None, request_id: str
    ) -> dict[str, Any]:
        params = {"sendTo": send_to} if send_to else None
        resp = self._request(
            "POST",
            f"invoice/{qbo_id}/send",
            op="send",
            params=params,
            write=True,
            request_id=request_id,
            content_type="application/octet-stream",
            raw_body=b"",
        )
        return self._entity_from(self._json(resp), "Invoice")

    def invoice_pdf(self, qbo_id: str) -> bytes:
        resp = self._request("GET", f"invoice/{qbo_id}/pdf", op="pdf", accept="application/pdf")
        return resp.content


def _multipart(parts: list[tuple[str, str | None, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body from (name, filename, content type, bytes) parts."""
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            # Browsers' escaping (HTML spec): quotes and line breaks never end the header.
            safe = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
            disposition += f'; filename="{safe}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        head += f"Content-Type: {content_type}\r\n\r\n"
        chunks += [head.encode("utf-8"), data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def batch_item_error(item: dict[str, Any]) -> QboError | None:
    """The typed error of one BatchItemResponse item, or None when it succeeded."""
    if "Fault" not in item:
        return None
    return error_from_response(400, {"Fault": item["Fault"]})


def new_request_id() -> str:
    """A fresh idempotency key (QBO recommends a UUID)."""
    return str(uuid.uuid4())
