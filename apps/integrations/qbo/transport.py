"""The QBO client's transport: one request path with the per-realm limiter, a single 401
refresh, retries with backoff, and ``?requestid=`` on every write (rules in client.py)."""

from __future__ import annotations

import os
import threading
from contextlib import nullcontext
from typing import Any

import requests

from apps.integrations.retry import RetryPolicy

from .errors import QboError, TransportError, error_from_response
from .wire import (
    REQUEST_ID_MAX,
    ClientStats,
    TokenSource,
    _never_sent,
    dumps,
    entity_of_key,
    loads,
)


def environment_session(url: str) -> requests.Session:
    """A Session that takes the environment's proxy and CA-bundle settings once, here, rather
    than on every request (requests re-reads them and ~/.netrc per call, 1–3 ms each — a
    full sync's worth of pages pays it a hundred times). Same settings as requests' own."""
    session = requests.Session()
    session.trust_env = False
    session.proxies = requests.utils.get_environ_proxies(url)
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") \
        or True
    return session


class QboTransport:
    """Connection state and the one request path every call goes through (limiter, 401
    refresh, retries, idempotent writes). Reads and writes build on it (client.py)."""

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
        self.session = session or environment_session(self.base_url)
        self.stats = ClientStats()
        self._stats_lock = threading.Lock()

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/v3/company/{self.realm_id}"

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
