"""Plaid failures as exceptions callers can branch on (by error_type / error_code, as Plaid
advises, never by HTTP status or message)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.integrations.errors import IntegrationError, json_error_body


@dataclass(eq=False)  # eq=False: exceptions compare and hash by identity
class PlaidError(IntegrationError):
    """A Plaid error object (spec `PlaidError`) or a transport failure."""

    error_type: str
    error_code: str
    error_message: str = ""
    display_message: str | None = None
    request_id: str | None = None
    http_status: int | None = None

    def __post_init__(self) -> None:
        super().__init__(f"{self.error_type}/{self.error_code}: {self.error_message}")


class ItemLoginRequired(PlaidError):
    """The owner must relink through Link update mode (link token created with access_token)."""


class ItemNotFound(PlaidError):
    """The item was removed (or never existed); stop syncing it."""


class InvalidAccessToken(PlaidError):
    pass


class MutationDuringPagination(PlaidError):
    """TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION: restart from the first page's cursor."""

    retryable = True


class RateLimitExceeded(PlaidError):
    retryable = True


class InstitutionError(PlaidError):
    """INSTITUTION_DOWN / INSTITUTION_NOT_RESPONDING ...: the bank, not us."""

    retryable = True


class PlaidServerError(PlaidError):
    """API_ERROR (INTERNAL_SERVER_ERROR, PLANNED_MAINTENANCE) or a bare 5xx."""

    retryable = True


class PlaidTransportError(PlaidError):
    """No usable HTTP answer at all (connection refused, timeout, TLS failure)."""

    retryable = True


_BY_CODE: dict[str, type[PlaidError]] = {
    "ITEM_LOGIN_REQUIRED": ItemLoginRequired,
    "ITEM_NOT_FOUND": ItemNotFound,
    "INVALID_ACCESS_TOKEN": InvalidAccessToken,
    "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION": MutationDuringPagination,
}
_BY_TYPE: dict[str, type[PlaidError]] = {
    "RATE_LIMIT_EXCEEDED": RateLimitExceeded,
    "INSTITUTION_ERROR": InstitutionError,
    "API_ERROR": PlaidServerError,
}


def error_from_body(body: Any, http_status: int | None) -> PlaidError:
    """Build the matching exception from an error response body (bytes, str or dict)."""
    data = json_error_body(body)
    if not isinstance(data, dict) or "error_code" not in data:
        cls = PlaidServerError if (http_status or 0) >= 500 or not http_status else PlaidError
        return cls(
            "API_ERROR",
            f"HTTP_{http_status}",
            "response carried no Plaid error object",
            http_status=http_status,
        )
    error_type = str(data.get("error_type") or "API_ERROR")
    error_code = str(data["error_code"])
    cls = _BY_CODE.get(error_code) or _BY_TYPE.get(error_type) or PlaidError
    return cls(
        error_type,
        error_code,
        str(data.get("error_message") or ""),
        data.get("display_message"),
        data.get("request_id"),
        http_status,
    )
