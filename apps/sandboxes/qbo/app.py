"""The sandbox's behaviour, independent of the HTTP plumbing: routes in, `Reply` out."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from apps.core.clock import OffsetClock

from . import paylinks, rates, wirejson
from .attachments import (
    FILE_URL_PREFIX,
    AttachmentFiles,
    UploadItem,
    check_file,
    pair_items,
    parse_multipart,
)
from .clock import days_ago_epoch, qbo_now, to_epoch
from .errors import (
    QboFault,
    auth_failed,
    authorization_failed,
    invalid,
    not_found,
    required_missing,
    system_error,
    throttled,
    unsupported,
)
from .faults import FaultInjector, FaultSpec, parse_fault_spec
from .limits import RealmLimiter
from .oauth import OAuthError, TokenStore, parse_basic_auth
from .pdf import invoice_pdf
from .query import parse_query
from .store import CompanyStore, wire_key
from .strictness import check_minorversion, check_void_form, queryable
from .webhooks import WebhookConfig, WebhookSender
from .wirejson import raw_list, raw_object
from .writes import Change, Writer, WriteResult

JSON = "application/json;charset=UTF-8"
BATCH_LIMIT = 30
CDC_MAX_DAYS = 30
IDEMPOTENCY_MEMORY = 100_000
REQUESTID_MAX = 50
# ExchangeRate: no Id to report changes by (see rates.py); read it by query or its endpoint.
CDC_UNSUPPORTED = ("JournalCode", "TaxAgency", "TimeActivity", "TaxCode", "TaxRate", "ExchangeRate")


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None  # None | "drop" (close, no answer) | "hold" (timeout)

    @classmethod
    def json_text(cls, status: int, text: str) -> Reply:
        return cls(status, text.encode("utf-8"))

    @classmethod
    def json(cls, status: int, doc: Any) -> Reply:
        return cls(status, wirejson.dumps(doc).encode("utf-8"))

    @classmethod
    def fault(cls, exc: QboFault) -> Reply:
        return cls.json(exc.status, exc.body())


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes


def default_realm(store: CompanyStore) -> str:
    info = store.first("CompanyInfo") or {}
    seed = str(info.get("CompanyName") or store.directory.resolve().name)
    digest = int(hashlib.sha256(seed.encode("utf-8")).hexdigest(), 16)
    return "9341" + str(digest % 10**12).zfill(12)


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.counts: dict[str, int] = {}
        self.status: dict[str, int] = {}

    def bump(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + amount

    def status_seen(self, status: int) -> None:
        with self.lock:
            key = str(status)
            self.status[key] = self.status.get(key, 0) + 1


def _timed(*pairs: tuple[str, str]) -> str:
    """A response envelope: the given fragments plus QBO's server `time`."""
    return raw_object(*pairs, ("time", json.dumps(qbo_now())))


class SandboxApp:
    def __init__(
        self,
        company_dir: str,
        *,
        realm: str | None,
        faults: Any,
        persist: bool,
        persist_delay: float,
        webhook: WebhookConfig,
    ) -> None:
        self.store = CompanyStore(company_dir, persist=persist)
        self.realm = str(realm or default_realm(self.store))
        self.base_url = ""  # set by the server once bound
        self.writer = Writer(self.store)
        self.attachments = AttachmentFiles(self.store.directory, persist)
        # One clock for token expiry and the rate window; `POST /_sandbox/clock` advances it.
        self.clock = OffsetClock()
        self.tokens = TokenStore(self.realm, clock=self.clock)
        self.tokens.restore(self.store.extra_state.get("oauth"))
        self.faults = FaultInjector(parse_fault_spec(faults))
        self.limiter = RealmLimiter(clock=self.clock)
        self.stats = Stats()
        self.webhooks = WebhookSender(self.realm, webhook)
        self.idempotency: OrderedDict[str, Reply] = OrderedDict()
        self.stopping = threading.Event()
        self.persist_delay = persist_delay
        self._dirty = threading.Event()
        self.store.on_dirty = self._dirty.set
        self._persister = threading.Thread(
            target=self._persist_loop, daemon=True, name="qbo-sandbox-persist"
        )
        self._persister.start()

    # --- lifecycle ----------------------------------------------------------------------
    def flush(self) -> None:
        self.store.flush({"oauth": self.tokens.snapshot()}, force_state=self.tokens.dirty)
        self.tokens.dirty = False

    def close(self) -> None:
        self.stopping.set()
        self._dirty.set()
        self._persister.join(timeout=10)
        self.flush()
        self.webhooks.stop()

    def _persist_loop(self) -> None:
        while not self.stopping.is_set():
            self._dirty.wait(timeout=1.0)
            if self.stopping.is_set():
                return
            if not self._dirty.is_set() and not self.tokens.dirty:
                continue
            self.stopping.wait(self.persist_delay)
            self._dirty.clear()
            try:
                self.flush()
            except OSError:
                traceback.print_exc()

    # --- entry point ----------------------------------------------------------------------
    def handle(self, req: Request) -> Reply:
        self.stats.bump("requests")
        path = req.path.rstrip("/") or "/"
        try:
            if path.startswith("/v3/company/"):
                reply = self._api(req, path)
            elif path.startswith(FILE_URL_PREFIX) and req.method == "GET":
                reply = self._serve_file(req, path[len(FILE_URL_PREFIX) :])
            elif path.startswith("/_sandbox"):
                reply = self._control(req, path)
            else:
                reply = self._oauth(req, path)
        except QboFault as exc:
            reply = Reply.fault(exc)
        except Exception:  # noqa: BLE001 - a bug must still answer like QBO does
            traceback.print_exc()
            reply = Reply.fault(system_error(500))
        self.stats.status_seen(reply.status)
        reply.headers.setdefault("intuit_tid", str(uuid.uuid4()))
        return reply

    # --- QBO API ------------------------------------------------------------------------
    def _api(self, req: Request, path: str) -> Reply:
        self.stats.bump("api_requests")
        parts = path.split("/")[3:]  # realm, entity, ...
        realm, rest = parts[0], [p for p in parts[1:] if p]
        auth = req.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise auth_failed("Authorization header missing or not a Bearer token")
        problem = self.tokens.check_access(auth[7:].strip())
        if problem:
            raise auth_failed(problem)
        if realm != self.realm:
            raise authorization_failed(f"Token is not authorised for realm {realm}")
        check_minorversion(req.params.get("minorversion"))
        spec = self.faults.spec
        if not self.limiter.enter(enforce=spec.limits, concurrency=spec.concurrency):
            self.stats.bump("throttled")
            return Reply.fault(throttled())
        try:
            is_batch = bool(rest) and rest[0].lower() == "batch"
            cost = self._batch_size(req) if is_batch else 1
            if spec.limits and not self.limiter.admit(
                cost=max(cost, 1),
                is_batch=is_batch,
                rate=spec.rate,
                batch_rate=spec.batch_rate,
                window=spec.window,
            ):
                self.stats.bump("throttled")
                return Reply.fault(throttled())
            delay = self.faults.delay_seconds()
            if delay:
                self.stopping.wait(delay)
            fault = self.faults.pick()
            if fault == "throttle":
                self.stats.bump("throttled")
                return Reply.fault(throttled())
            if fault in ("error503", "error500"):
                self.stats.bump("errors_injected")
                return Reply.fault(system_error(503 if fault == "error503" else 500))
            if fault == "timeout":
                self.stats.bump("timeouts")
                self.stopping.wait(spec.hold)
                return Reply(504, action="hold")
            reply = self._api_route(req, rest)
            if fault == "drop":
                self.stats.bump("drops")
                reply.action = "drop"
            return reply
        finally:
            self.limiter.leave()

    def _batch_size(self, req: Request) -> int:
        try:
            items = json.loads(req.body or b"{}").get("BatchItemRequest")
            return len(items) if isinstance(items, list) else 1
        except (ValueError, AttributeError):
            return 1

    def _api_route(self, req: Request, rest: list[str]) -> Reply:
        if not rest:
            raise unsupported("No resource in the URL")
        head = rest[0].lower()
        if req.method == "GET" and head == "query" or (req.method == "POST" and head == "query"):
            text = req.params.get("query")
            if text is None and req.method == "POST":
                text = req.body.decode("utf-8", "replace")
            return self._query(text or "", links=paylinks.wanted(req.params))
        if head == "cdc" and req.method == "GET":
            return self._cdc(req.params)
        if head == "batch" and req.method == "POST":
            return self._idempotent(req, lambda: self._batch(req))
        if head == "upload" and req.method == "POST" and len(rest) == 1:
            return self._idempotent(req, lambda: self._upload(req))
        if head == "download" and req.method == "GET" and len(rest) == 2:
            return self._download_link(req, rest[1])
        if head == "companyinfo" and req.method == "GET":
            return self._singleton("CompanyInfo")
        if head == "preferences" and req.method == "GET":
            return self._singleton("Preferences")
        if head == "exchangerate" and req.method == "GET" and len(rest) == 1:
            obj = rates.read_rate(self.store, req.params)
            return Reply.json_text(200, _timed(("ExchangeRate", wirejson.dumps(obj))))
        entity = self.store.canonical(head)
        if entity is None:
            raise unsupported(f"Unsupported resource {rest[0]!r}")
        if entity == "Invoice" and len(rest) == 3 and rest[2].lower() in ("send", "pdf"):
            if rest[2].lower() == "pdf" and req.method == "GET":
                return self._invoice_pdf(rest[1])
            if rest[2].lower() == "send" and req.method == "POST":
                return self._idempotent(req, lambda: self._send_invoice(rest[1], req.params))
        if len(rest) == 2 and req.method == "GET":
            obj = self.store.get(entity, rest[1])
            if obj is None:
                raise not_found(entity, rest[1])
            if entity == "Attachable" and self.attachments.exists(rest[1]):
                return self._attachable_reply(rest[1])
            return self._entity_reply(entity, rest[1],
                                      links=entity == "Invoice" and paylinks.wanted(req.params))
        if len(rest) == 1 and req.method == "POST":
            return self._idempotent(req, lambda: self._write(entity, req))
        raise unsupported(f"{req.method} /{'/'.join(rest)} is not supported")

    def _idempotent(self, req: Request, action) -> Reply:
        request_id = req.params.get("requestid")
        if not request_id:
            return action()
        if len(request_id) > REQUESTID_MAX:
            raise invalid(f"requestid is longer than {REQUESTID_MAX} characters")
        with self.store.lock:  # serialises writes, so a repeat waits for the first
            stored = self.idempotency.get(request_id)
            if stored is not None:
                self.stats.bump("idempotent_replays")
                return Reply(stored.status, stored.body, stored.content_type, dict(stored.headers))
            try:
                reply = action()
            except QboFault as exc:
                reply = Reply.fault(exc)
            self.idempotency[request_id] = Reply(
                reply.status, reply.body, reply.content_type, dict(reply.headers)
            )
            if len(self.idempotency) > IDEMPOTENCY_MEMORY:
                self.idempotency.popitem(last=False)
            return reply

    def _query(self, text: str, links: bool = False) -> Reply:
        query = queryable(parse_query(text))
        linked = links and self.store.canonical(query.entity) == "Invoice"
        body = self.store.run_query(
            query, paylinks.renderer(self.store, self.realm) if linked else None)
        return Reply.json_text(200, _timed(("QueryResponse", body)))

    def _cdc(self, params: dict[str, str]) -> Reply:
        names = [n.strip() for n in params.get("entities", "").split(",") if n.strip()]
        if not names:
            raise required_missing("entities")
        since_text = params.get("changedSince")
        if not since_text:
            raise required_missing("changedSince")
        since = to_epoch(since_text.replace(" ", "+"))
        if since is None:
            raise invalid(f"changedSince {since_text!r} is not a date-time")
        if since < days_ago_epoch(CDC_MAX_DAYS):
            raise invalid(
                "changedSince must be within the last 30 days",
                code="2010",
                message="Invalid changedSince",
            )
        entities = []
        for name in names:
            entity = self.store.canonical(name)
            if entity is None or entity in CDC_UNSUPPORTED:
                raise invalid(f"CDC does not support entity {name!r}")
            entities.append(entity)
        return Reply.json_text(200, self.store.changes_since(entities, since))

    def _singleton(self, entity: str) -> Reply:
        obj = self.store.first(entity)
        if obj is None:
            raise not_found(entity, self.realm)
        return Reply.json_text(200, _timed((entity, wirejson.dumps(obj))))

    def _entity_reply(self, entity: str, key: str, links: bool = False) -> Reply:
        with self.store.lock:
            table = self.store.tables[entity]
            text = (paylinks.renderer(self.store, self.realm)(table, key) if links
                    else table.json_of(key))
        return Reply.json_text(200, _timed((wire_key(entity), text)))

    def _parse_body(self, req: Request, entity: str) -> dict:
        try:
            body = wirejson.loads(req.body or b"{}")
        except ValueError as exc:
            raise invalid(f"Request body is not valid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise invalid("Request body must be a JSON object")
        wrapped = [k for k in (entity, wire_key(entity)) if isinstance(body.get(k), dict)]
        if len(body) == 1 and wrapped:
            body = body[wrapped[0]]  # tolerate a wrapped object
        return body

    def _write(self, entity: str, req: Request) -> Reply:
        body = self._parse_body(req, entity)
        operation, include = req.params.get("operation", ""), req.params.get("include", "")
        check_void_form(entity, operation, include)
        result = self.apply_write(entity, body, operation, include)
        return self._write_reply(result)

    def apply_write(
        self,
        entity: str,
        body: dict,
        operation: str = "",
        include: str = "",
        *,
        check_token: bool = True,
    ) -> WriteResult:
        operation = operation.lower()
        if entity == rates.ENTITY:
            if operation in ("delete", "void"):
                raise rates.reject_delete()
            _key, obj = rates.write_rate(self.store, body)
            self.stats.bump("writes")
            return WriteResult(entity, obj)  # no webhook: a rate has no Id to name
        if operation == "delete":
            result = self.writer.delete(entity, body, check_token=check_token)
        elif operation == "void" or (operation == "update" and include.lower() == "void"):
            result = self.writer.void(entity, body, check_token=check_token)
        elif body.get("Id") not in (None, ""):
            result = self.writer.update(entity, body, check_token=check_token)
        elif operation in ("", "create"):
            result = self.writer.create(entity, body)
        else:
            raise required_missing("Id")
        self.stats.bump("writes")
        if entity == "Attachable" and operation == "delete":
            self.attachments.remove(str(result.body.get("Id")))
        self.webhooks.enqueue(result.changes)
        return result

    def _write_reply(self, result: WriteResult) -> Reply:
        return Reply.json_text(200, _timed((wire_key(result.entity), self._result_json(result))))

    def _result_json(self, result: WriteResult) -> str:
        if result.body.get("status") == "Deleted":
            return wirejson.dumps(result.body)
        with self.store.lock:
            table = self.store.tables.get(result.entity)
            key = str(result.body.get("Id"))
            if table and table.objects.get(key) is result.body:
                return table.json_of(key)
        return wirejson.dumps(result.body)

    def _batch(self, req: Request) -> Reply:
        try:
            doc = wirejson.loads(req.body or b"{}")
        except ValueError as exc:
            raise invalid(f"Request body is not valid JSON: {exc}") from exc
        items = doc.get("BatchItemRequest") if isinstance(doc, dict) else None
        if not isinstance(items, list) or not items:
            raise required_missing("BatchItemRequest")
        if len(items) > BATCH_LIMIT:
            raise invalid(
                f"Batch request has {len(items)} items; the limit is {BATCH_LIMIT}",
                code="2010",
                message="Batch request size exceeds the limit",
            )
        parts = []
        for item in items:
            parts.append(self._batch_item(item if isinstance(item, dict) else {}))
        return Reply.json_text(200, _timed(("BatchItemResponse", raw_list(parts))))

    def _batch_item(self, item: dict) -> str:
        bid = json.dumps(str(item.get("bId", "")))
        try:
            if "Query" in item:
                body = self.store.run_query(queryable(parse_query(str(item["Query"]))))
                return raw_object(("bId", bid), ("QueryResponse", body))
            keys = [k for k in item if k not in ("bId", "operation", "optionsData")]
            if len(keys) != 1 or not isinstance(item[keys[0]], dict):
                raise invalid("Batch item needs exactly one entity object or a Query")
            entity = self.store.canonical(keys[0])
            if entity is None:
                raise unsupported(f"Unsupported entity {keys[0]!r}")
            operation = str(item.get("operation", "create")).lower()
            if operation not in ("create", "update", "delete", "void"):
                raise invalid(f"Unsupported batch operation {operation!r}")
            body = item[keys[0]]
            if operation == "create" and body.get("Id"):
                raise invalid("Create must not carry an Id")
            if operation == "update" and not body.get("Id"):
                raise required_missing("Id")
            result = self.apply_write(
                entity, body, "" if operation in ("create", "update") else operation
            )
            return raw_object(("bId", bid), (wire_key(result.entity), self._result_json(result)))
        except QboFault as exc:
            return raw_object(("bId", bid), ("Fault", wirejson.dumps(exc.fault())))

    def _send_invoice(self, key: str, params: dict[str, str]) -> Reply:
        result = self.writer.send_invoice(key, params.get("sendTo"))
        self.stats.bump("writes")
        self.stats.bump("emails_sent")
        self.webhooks.enqueue(result.changes)
        return self._write_reply(result)

    def _invoice_pdf(self, key: str) -> Reply:
        invoice = self.store.get_copy("Invoice", key)
        if invoice is None:
            raise not_found("Invoice", key)
        company = (self.store.first("CompanyInfo") or {}).get("CompanyName", "")
        return Reply(200, invoice_pdf(invoice, company), "application/pdf")

    # --- attachments (upload / download) ------------------------------------------------
    def _upload(self, req: Request) -> Reply:
        items = pair_items(parse_multipart(req.headers.get("content-type", ""), req.body))
        fragments = []
        for item in items:
            try:
                fragments.append(raw_object(("Attachable", self._upload_one(item))))
            except QboFault as exc:  # per file, like a batch item
                fragments.append(raw_object(("Fault", wirejson.dumps(exc.fault()))))
        return Reply.json_text(200, _timed(("AttachableResponse", raw_list(fragments))))

    def _upload_one(self, item: UploadItem) -> str:
        if item.content is None:
            raise required_missing(f"file_content_{item.index}")
        meta: Any = {}
        if item.metadata and item.metadata.strip():
            try:
                meta = wirejson.loads(item.metadata)
            except ValueError as exc:
                detail = f"file_metadata_{item.index} is not JSON (XML is not supported)"
                raise invalid(detail) from exc
        if isinstance(meta, dict) and isinstance(meta.get("Attachable"), dict):
            meta = meta["Attachable"]
        if not isinstance(meta, dict):
            raise invalid(f"file_metadata_{item.index} must be an Attachable object")
        file_name = meta.get("FileName") or item.content.filename
        if not file_name:
            raise required_missing("FileName")
        content_type = str(meta.get("ContentType") or item.content.content_type or "")
        if not content_type:
            raise required_missing("ContentType")
        data = item.content.data
        check_file(content_type, len(data), self.attachments.max_bytes)
        refs = meta.get("AttachableRef") or []
        refs = [refs] if isinstance(refs, dict) else refs
        if not isinstance(refs, list):
            raise invalid("AttachableRef must be a list")
        for ref in refs:
            self._check_entity_ref(ref)
        ignored = ("Id", "SyncToken", "MetaData", "FileAccessUri", "TempDownloadUri", "sparse")
        body = {k: v for k, v in meta.items() if k not in ignored}
        body.update({"FileName": str(file_name), "ContentType": content_type, "Size": len(data)})
        body["AttachableRef"] = refs
        with self.store.lock:
            result = self.writer.create("Attachable", body)
            obj, key = result.body, str(result.body["Id"])
            obj["FileAccessUri"] = f"/v3/company/{self.realm}/download/{key}"
            try:
                self.attachments.put(key, data)  # under the lock: never a record without bytes
            except OSError as exc:
                self.store.tables["Attachable"].remove(key)
                raise system_error(500) from exc
            self.store.save("Attachable", obj)
        self.stats.bump("writes")
        self.stats.bump("uploads")
        self.webhooks.enqueue(result.changes)
        return self._attachable_json(key)

    def _check_entity_ref(self, ref: Any) -> None:
        entity_ref = ref.get("EntityRef") if isinstance(ref, dict) else None
        if not isinstance(entity_ref, dict) or not entity_ref.get("value"):
            raise required_missing("AttachableRef.EntityRef")
        kind, value = str(entity_ref.get("type") or ""), str(entity_ref["value"])
        entity = self.store.canonical(kind) if kind else None
        if entity is None or self.store.get(entity, value) is None:
            raise QboFault(
                400,
                "2500",
                "Invalid Reference Id",
                f"Invalid Reference Id : {kind or 'entity'} {value} does not exist",
                element="AttachableRef",
            )

    def _attachable_json(self, key: str) -> str:
        """The stored Attachable plus a fresh TempDownloadUri (it expires, so never stored)."""
        obj = self.store.get_copy("Attachable", key) or {}
        obj["TempDownloadUri"] = self.attachments.temp_url(self.base_url, key)
        return wirejson.dumps(obj)

    def _attachable_reply(self, key: str) -> Reply:
        return Reply.json_text(200, _timed(("Attachable", self._attachable_json(key))))

    def _download_link(self, req: Request, key: str) -> Reply:
        if self.store.get("Attachable", key) is None or not self.attachments.exists(key):
            raise not_found("Attachable", key)
        url = self.attachments.temp_url(self.base_url, key)
        self.stats.bump("downloads")
        accept = req.headers.get("accept", "")
        if "text/plain" in accept and "json" not in accept:
            return Reply(200, url.encode("utf-8"), "text/plain;charset=UTF-8")  # QBO's form
        return Reply.json_text(200, _timed(("TempDownloadUri", json.dumps(url))))

    def _serve_file(self, req: Request, key: str) -> Reply:
        """The temporary link (no bearer token, like QBO's pre-signed S3 URLs)."""
        problem = self.attachments.check_link(
            key, req.params.get("expires", ""), req.params.get("signature", "")
        )
        if problem:
            return Reply(403, f"AccessDenied: {problem}".encode(), "text/plain")
        data = self.attachments.get(key)
        if data is None:
            return Reply(404, b"NoSuchKey", "text/plain")
        meta = self.store.get_copy("Attachable", key) or {}
        name = str(meta.get("FileName") or key).encode("ascii", "replace").decode()
        name = name.replace('"', "'").replace("\\", "_")
        return Reply(
            200,
            data,
            str(meta.get("ContentType") or "application/octet-stream"),
            {"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # --- OAuth --------------------------------------------------------------------------
    def discovery(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "issuer": "https://oauth.platform.intuit.com/op/v1",
            "authorization_endpoint": f"{base}/connect/oauth2",
            "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
            "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
            "revocation_endpoint": f"{base}/oauth2/v1/tokens/revoke",
            "jwks_uri": f"{base}/oauth2/v1/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": [
                "openid",
                "email",
                "profile",
                "address",
                "phone",
                "com.intuit.quickbooks.accounting",
                "com.intuit.quickbooks.payment",
            ],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
        }

    def _oauth(self, req: Request, path: str) -> Reply:
        if path in (
            "/.well-known/openid_configuration",
            "/.well-known/openid_sandbox_configuration",
        ):
            return Reply.json(200, self.discovery())
        if path == "/connect/oauth2" and req.method == "GET":
            return self._authorize(req.params)
        if path == "/oauth2/v1/tokens/bearer" and req.method == "POST":
            return self._token(req)
        if path == "/oauth2/v1/tokens/revoke" and req.method == "POST":
            return self._revoke(req)
        if path == "/oauth2/v1/keys":
            return Reply.json(200, {"keys": []})
        if path == "/v1/openid_connect/userinfo":
            token = req.headers.get("authorization", "")[7:].strip()
            if self.tokens.check_access(token):
                return Reply.json(401, {"error": "invalid_token"})
            return Reply.json(
                200,
                {
                    "sub": "sandbox-user",
                    "email": "owner@example.com",
                    "emailVerified": True,
                    "givenName": "Sandbox",
                    "familyName": "Owner",
                    "realmid": self.realm,
                },
            )
        return Reply.json(404, {"error": "not_found", "path": path})

    def _authorize(self, params: dict[str, str]) -> Reply:
        client_id, redirect = params.get("client_id"), params.get("redirect_uri")
        if not client_id or not redirect:
            return Reply.json(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "client_id and redirect_uri needed",
                },
            )
        if params.get("response_type", "code") != "code":
            return Reply.json(400, {"error": "unsupported_response_type"})
        code = self.tokens.authorize(client_id, redirect)
        query = {"code": code, "state": params.get("state", ""), "realmId": self.realm}
        joiner = "&" if "?" in redirect else "?"
        return Reply(302, b"", "text/plain", {"Location": f"{redirect}{joiner}{urlencode(query)}"})

    def _client(self, req: Request) -> str:
        creds = parse_basic_auth(req.headers.get("authorization"))
        if creds is None:
            raise OAuthError(401, "invalid_client", "HTTP Basic client authentication required")
        return creds[0]

    def _form(self, req: Request) -> dict[str, str]:
        from urllib.parse import parse_qs

        text = req.body.decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def _token(self, req: Request) -> Reply:
        try:
            client_id = self._client(req)
            form = self._form(req)
            hard = req.headers.get("x-include-refresh-token-hard-expires-in", "").lower() == "true"
            grant = form.get("grant_type")
            if grant == "authorization_code":
                body = self.tokens.exchange_code(
                    client_id, form.get("code", ""), form.get("redirect_uri", ""), hard
                )
            elif grant == "refresh_token":
                body = self.tokens.refresh_grant(client_id, form.get("refresh_token", ""), hard)
            else:
                raise OAuthError(400, "unsupported_grant_type")
        except OAuthError as exc:
            self.stats.bump("oauth_errors")
            return Reply.json(exc.status, exc.body())
        self.stats.bump("tokens_issued")
        self._dirty.set()
        return Reply.json(200, body)

    def _revoke(self, req: Request) -> Reply:
        try:
            self._client(req)
        except OAuthError as exc:
            return Reply.json(exc.status, exc.body())
        try:
            token = json.loads(req.body or b"{}").get("token", "")
        except (ValueError, AttributeError):
            token = self._form(req).get("token", "")
        if not token:
            return Reply.json(400, {"error": "invalid_request"})
        self.tokens.revoke(token)
        self._dirty.set()
        return Reply(200, b"", "text/plain")

    # --- control API ----------------------------------------------------------------------
    def _control(self, req: Request, path: str) -> Reply:
        name = path[len("/_sandbox") :].strip("/")
        try:
            doc = json.loads(req.body) if req.body.strip() else {}
        except ValueError:
            return Reply.json(400, {"error": "body is not JSON"})
        if not isinstance(doc, dict):
            return Reply.json(400, {"error": "body must be a JSON object"})
        try:
            return self._control_route(req.method, name, doc)
        except (ValueError, TypeError, KeyError) as exc:
            return Reply.json(400, {"error": str(exc)})

    def _control_route(self, method: str, name: str, doc: dict) -> Reply:
        if name == "health":
            return Reply.json(200, {"ok": True, "realm": self.realm, "base_url": self.base_url})
        if name == "faults":
            if method == "POST":
                self.set_faults(doc["spec"] if "spec" in doc else doc, merge="spec" not in doc)
            spec = self.faults.spec
            return Reply.json(200, spec.as_dict() | {"spec": spec.as_spec()})
        if name == "stats":
            return Reply.json(200, self.stats_snapshot())
        if name == "clock" and method == "POST":
            self.clock.advance(float(doc.get("advance", 0)))
            return Reply.json(200, {"now": self.clock.time(), "offset": self.clock.offset})
        if name == "tokens" and method == "POST":
            return Reply.json(200, self._tokens_control(doc))
        if name == "webhook/config":
            if method == "POST":
                self.webhooks.configure(
                    **{
                        k: v
                        for k, v in doc.items()
                        if k in ("url", "verifier_token", "format", "auto")
                    }
                )
            cfg = self.webhooks.config
            return Reply.json(
                200,
                {
                    "url": cfg.url,
                    "format": cfg.format,
                    "auto": cfg.auto,
                    "verifier_token_set": bool(cfg.verifier_token),
                },
            )
        if name == "webhook/log":
            return Reply.json(200, {"deliveries": list(self.webhooks.log)})
        if name == "webhook" and method == "POST":
            changes = [
                Change(
                    str(e["name"]),
                    str(e["id"]),
                    str(e.get("operation", "Update")),
                    str(e.get("lastUpdated") or qbo_now()),
                )
                for e in doc.get("entities", [])
            ]
            if not changes:
                raise ValueError("entities: a non-empty list of {name, id, operation}")
            return Reply.json(200, self.webhooks.deliver(changes))
        if name == "mutate" and method == "POST":
            return self._mutate(doc)
        if name == "reset" and method == "POST":
            self.reset()
            return Reply.json(200, {"ok": True})
        if name == "flush" and method == "POST":
            self.flush()
            return Reply.json(200, {"ok": True})
        return Reply.json(404, {"error": f"unknown control endpoint {method} /_sandbox/{name}"})

    def _tokens_control(self, doc: dict) -> dict[str, Any]:
        action = doc.get("action", "issue")
        if action == "issue":
            return self.issue_tokens(doc.get("client_id", "sandbox-dev"))
        if action == "expire_access":
            return {"expired": self.tokens.expire_access()}
        if action == "expire_refresh":
            return {"expired": self.tokens.expire_refresh()}
        if action == "revoke_all":
            return {"revoked": self.tokens.revoke_all()}
        if action == "config":
            self.tokens.configure(
                **{k: doc.get(k) for k in ("access_ttl", "refresh_ttl", "hard_ttl", "grace")}
            )
            t = self.tokens
            return {
                "access_ttl": t.access_ttl,
                "refresh_ttl": t.refresh_ttl,
                "hard_ttl": t.hard_ttl,
                "grace": t.grace,
            }
        raise ValueError(f"unknown tokens action {action!r}")

    def _mutate(self, doc: dict) -> Reply:
        entity = self.store.canonical(str(doc.get("entity", "")))
        if entity is None:
            raise ValueError(f"unknown entity {doc.get('entity')!r}")
        operation = str(doc.get("operation", "update")).lower()
        try:
            if operation == "create":
                result = self.apply_write(entity, dict(doc.get("object") or {}))
            elif operation in ("delete", "void"):
                result = self.apply_write(
                    entity, {"Id": str(doc["id"])}, operation, check_token=False
                )
            else:
                body = dict(doc.get("set") or {})
                body.update({"Id": str(doc["id"]), "sparse": True})
                result = self.apply_write(entity, body, check_token=False)
        except QboFault as exc:
            return Reply.fault(exc)
        return Reply.json_text(200, raw_object((wire_key(result.entity),
                                                self._result_json(result))))

    # --- programmatic helpers (used by SandboxHandle) -----------------------------------
    def issue_tokens(self, client_id: str = "sandbox-dev") -> dict[str, Any]:
        body = self.tokens.issue_direct(client_id)
        body["realmId"] = self.realm
        self._dirty.set()
        return body

    def set_faults(self, spec: Any, merge: bool = False) -> FaultSpec:
        base = self.faults.spec if merge else FaultSpec()
        new = parse_fault_spec(spec, base=base)
        self.faults.set(new)
        return new

    def reset(self) -> None:
        self.stats.reset()
        self.limiter.reset()
        self.faults.reset()
        with self.store.lock:
            self.idempotency.clear()

    def stats_snapshot(self) -> dict[str, Any]:
        with self.stats.lock:
            counts = dict(self.stats.counts)
            status = dict(self.stats.status)
        names = (
            "requests",
            "api_requests",
            "throttled",
            "errors_injected",
            "timeouts",
            "drops",
            "writes",
            "idempotent_replays",
            "uploads",
            "downloads",
            "emails_sent",
            "tokens_issued",
            "oauth_errors",
        )
        out: dict[str, Any] = {n: counts.get(n, 0) for n in names}
        out.update(
            {
                "status": status,
                "webhooks_sent": self.webhooks.sent,
                "max_in_flight": self.limiter.max_in_flight,
                "in_flight": self.limiter.in_flight,
                "entities": self.store.counts(),
                "time": time.time(),
            }
        )
        return out
