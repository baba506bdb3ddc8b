"""Plaid's error object, as the sandbox sends it (spec `PlaidError`)."""

from __future__ import annotations

from typing import Any


class PlaidAPIError(Exception):
    """Raised inside a handler; the server turns it into Plaid's error body and status."""

    def __init__(
        self,
        status: int,
        error_type: str,
        error_code: str,
        error_message: str,
        display_message: str | None = None,
    ) -> None:
        super().__init__(f"{error_type}/{error_code}: {error_message}")
        self.status = status
        self.error_type = error_type
        self.error_code = error_code
        self.error_message = error_message
        self.display_message = display_message

    def body(self, request_id: str) -> dict[str, Any]:
        return {
            "display_message": self.display_message,
            "documentation_url": f"https://plaid.com/docs/errors/#{self.error_code.lower()}",
            "error_code": self.error_code,
            "error_code_reason": None,
            "error_message": self.error_message,
            "error_type": self.error_type,
            "request_id": request_id,
            "causes": [],
            "status": None,
            "suggested_action": None,
        }


def invalid_request(code: str, message: str) -> PlaidAPIError:
    return PlaidAPIError(400, "INVALID_REQUEST", code, message)


def invalid_input(code: str, message: str) -> PlaidAPIError:
    return PlaidAPIError(400, "INVALID_INPUT", code, message)


def item_error(code: str, message: str, display: str | None = None) -> PlaidAPIError:
    return PlaidAPIError(400, "ITEM_ERROR", code, message, display)


def login_required() -> PlaidAPIError:
    return item_error(
        "ITEM_LOGIN_REQUIRED",
        "the login details of this item have changed (credentials, MFA, or required user "
        "action) and a user login is required to update this information",
        "'Please update your credentials.'",
    )


def mutation_during_pagination() -> PlaidAPIError:
    return PlaidAPIError(
        400,
        "TRANSACTIONS_ERROR",
        "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION",
        "Underlying transaction data changed since last page was fetched. Please restart "
        "pagination from last update.",
    )


def internal_server_error() -> PlaidAPIError:
    return PlaidAPIError(
        500,
        "API_ERROR",
        "INTERNAL_SERVER_ERROR",
        "an unexpected error occurred",
        "Something went wrong. Please try again later.",
    )


# Endpoint-specific RATE_LIMIT_EXCEEDED codes (plaid.com/docs/errors/rate-limit-exceeded).
RATE_LIMIT_CODES = {
    "/accounts/get": "ACCOUNTS_LIMIT",
    "/accounts/balance/get": "BALANCE_LIMIT",
    "/transactions/sync": "TRANSACTIONS_SYNC_LIMIT",
    "/item/get": "ITEM_GET_LIMIT",
}


def rate_limited(path: str) -> PlaidAPIError:
    return PlaidAPIError(
        429,
        "RATE_LIMIT_EXCEEDED",
        RATE_LIMIT_CODES.get(path, "RATE_LIMIT"),
        "rate limit exceeded for attempts to access this item. please try again later",
        "Too many attempts. Please try again later.",
    )
