"""Typed errors for the QBO Accounting API, parsed from its ``Fault`` body.

QBO answers errors as ``{"Fault": {"Error": [{"Message", "Detail", "code"}], "type": ...}}``.
We branch on the HTTP status first (the Fault ``type`` strings are not reliable across
endpoints), then on the error code.
"""

from __future__ import annotations

from typing import Any

from apps.integrations.errors import IntegrationError, json_error_body


class QboError(IntegrationError):
    """Base of every error raised by the QBO client."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str = "",
        detail: str = "",
        status: int | None = None,
        intuit_tid: str = "",
        fault_type: str = "",
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.detail = detail
        self.status = status
        self.intuit_tid = intuit_tid
        self.fault_type = fault_type
        self.errors = errors or []
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [f"{type(self).__name__}"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        text = " ".join(parts) + f": {self.message}"
        if self.detail and self.detail != self.message:
            text += f" ({self.detail})"
        if self.intuit_tid:
            text += f" [intuit_tid={self.intuit_tid}]"
        return text


class AuthenticationError(QboError):
    """401: access token expired or revoked (refresh once, then re-authorise)."""


class ForbiddenError(QboError):
    """403 / code 3100: the token does not grant this realm (re-authorise, do not retry)."""


class RetryLaterError(QboError):
    """QBO asked us to come back later, after ``retry_after`` seconds when it said so."""

    retryable = True

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ThrottledError(RetryLaterError):
    """429 / code 3001 ThrottleExceeded."""


class StaleObjectError(QboError):
    """Code 5010: the SyncToken sent is older than the stored one; re-read and retry."""


class ValidationError(QboError):
    """Codes 2xxx / 6xxx (and other 4xx business errors): the request itself is wrong."""


class NotFoundError(QboError):
    """Code 610 (object not found) or HTTP 404."""


class ServerError(RetryLaterError):
    """5xx: QBO failed; 500/502/503/504 are retried."""


class TransportError(QboError):
    """Timeout or dropped connection: no answer was read.

    ``ambiguous`` is True for writes: the server may have committed before the connection
    dropped, so the caller must not assume "nothing happened" (reconcile with the requestid).
    """

    retryable = True

    def __init__(self, *args: Any, ambiguous: bool = False, **kwargs: Any) -> None:
        self.ambiguous = ambiguous
        super().__init__(*args, **kwargs)


def _first_error(body: Any) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
    """Return (first error item, fault type, all error items) from a Fault body, tolerantly."""
    if not isinstance(body, dict):
        return {}, "", []
    fault = body.get("Fault") or body.get("fault") or {}
    if not isinstance(fault, dict):
        return {}, "", []
    errors = fault.get("Error") or fault.get("error") or []
    if isinstance(errors, dict):
        errors = [errors]
    errors = [e for e in errors if isinstance(e, dict)]
    first = errors[0] if errors else {}
    return first, str(fault.get("type", "")), errors


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # HTTP-date form: not worth supporting, backoff covers it
    return max(0.0, seconds)


def error_from_response(
    status: int,
    body: bytes | str | dict[str, Any] | None,
    headers: dict[str, str] | None = None,
) -> QboError:
    """Build the typed error for a non-2xx QBO response (or a 200 carrying a Fault)."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    first, fault_type, errors = _first_error(json_error_body(body))
    code = str(first.get("code", "") or "").lstrip("0")
    message = str(first.get("Message", "") or first.get("message", "") or "")
    detail = str(first.get("Detail", "") or first.get("detail", "") or "")
    if not message:
        raw = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
        message = raw[:200] or f"HTTP {status}"
    kwargs: dict[str, Any] = dict(
        code=code,
        detail=detail,
        status=status,
        intuit_tid=headers.get("intuit_tid", ""),
        fault_type=fault_type,
        errors=errors,
    )
    retry_after = _parse_retry_after(headers.get("retry-after"))
    code_num = int(code) if code.isdigit() else None

    if status == 401 or fault_type.upper() in ("AUTHENTICATION", "AUTHENTICATIONFAULT"):
        return AuthenticationError(message, **kwargs)
    if status == 403 or code_num == 3100:
        return ForbiddenError(message, **kwargs)
    if status == 429 or code_num == 3001:
        return ThrottledError(message, retry_after=retry_after, **kwargs)
    if code_num == 5010:
        return StaleObjectError(message, **kwargs)
    if status >= 500:
        return ServerError(message, retry_after=retry_after, **kwargs)
    if code_num == 610 or status == 404:
        return NotFoundError(message, **kwargs)
    if code_num is not None and (2000 <= code_num < 3000 or 6000 <= code_num < 7000):
        return ValidationError(message, **kwargs)
    if status == 400 or 400 <= status < 500:
        return ValidationError(message, **kwargs)
    return QboError(message, **kwargs)
