"""QBO `Fault` bodies and the exception the sandbox raises to answer with one."""

from __future__ import annotations

from typing import Any

from .clock import qbo_now


class SandboxLoadError(Exception):
    """A company directory could not be loaded; the message names the file."""


class QboFault(Exception):
    """An error answered in QBO's Fault format with the given HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: str = "",
        fault_type: str = "ValidationFault",
        element: str = "",
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail or message
        self.fault_type = fault_type
        self.element = element

    def error_item(self) -> dict[str, Any]:
        return {
            "Message": self.message,
            "Detail": self.detail,
            "code": self.code,
            "element": self.element,
        }

    def fault(self) -> dict[str, Any]:
        return {"Error": [self.error_item()], "type": self.fault_type}

    def body(self) -> dict[str, Any]:
        return {"Fault": self.fault(), "time": qbo_now()}


def not_found(entity: str, obj_id: str) -> QboFault:
    return QboFault(
        400,
        "610",
        "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made inactive. "
        f"Check the fields with accounts, customers, items, vendors or employees. "
        f"({entity} Id={obj_id})",
    )


def stale_object(entity: str, obj_id: str) -> QboFault:
    return QboFault(
        400,
        "5010",
        "Stale Object Error",
        f"Stale Object Error : You and another user were working on the same thing. "
        f"Please try again. ({entity} Id={obj_id})",
    )


def invalid(
    detail: str, code: str = "2010", message: str = "Request has invalid or unsupported property"
) -> QboFault:
    return QboFault(400, code, message, detail)


def required_missing(field: str) -> QboFault:
    return QboFault(
        400,
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {field} is missing in the request",
        element=field,
    )


def unsupported(detail: str) -> QboFault:
    return QboFault(400, "500", "Unsupported Operation", detail)


def query_parse_error(detail: str) -> QboFault:
    return QboFault(400, "4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail: str) -> QboFault:
    return QboFault(400, "4001", "Invalid query", f"QueryValidationError: {detail}")


def auth_failed(detail: str) -> QboFault:
    return QboFault(
        401,
        "3200",
        "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        detail,
        fault_type="AUTHENTICATION",
    )


def authorization_failed(detail: str) -> QboFault:
    return QboFault(
        403,
        "3100",
        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
        detail,
        fault_type="AuthorizationFault",
    )


def throttled() -> QboFault:
    return QboFault(
        429,
        "3001",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.  Try again later",
        fault_type="SERVICE",
    )


def system_error(status: int) -> QboFault:
    return QboFault(
        status,
        "10000",
        "An application error has occurred while processing your request",
        "System Failure Error: An unexpected error occurred while accessing or saving your "
        "data. Please wait a few minutes and try again.",
        fault_type="SystemFault",
    )
