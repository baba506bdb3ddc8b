"""Fault parsing into typed errors."""

import json

import pytest

from apps.integrations.qbo.errors import (
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    QboError,
    ServerError,
    StaleObjectError,
    ThrottledError,
    ValidationError,
    error_from_response,
)


def fault(code, message="m", detail="d", ftype="ValidationFault"):
    return json.dumps(
        {
            "Fault": {
                "Error": [{"Message": message, "Detail": detail, "code": code}],
                "type": ftype,
            },
            "time": "2026-11-28T10:00:00.000-08:00",
        }
    ).encode()


@pytest.mark.parametrize(
    "status,code,cls",
    [
        (401, "3200", AuthenticationError),
        (403, "3100", ForbiddenError),
        (429, "3001", ThrottledError),
        (400, "3001", ThrottledError),  # old throttle form on another status
        (400, "5010", StaleObjectError),
        (400, "6240", ValidationError),
        (400, "2020", ValidationError),
        (400, "4000", ValidationError),
        (400, "610", NotFoundError),
        (404, "", NotFoundError),
        (500, "10000", ServerError),
        (503, "10000", ServerError),
    ],
)
def test_status_and_code_map_to_types(status, code, cls):
    err = error_from_response(status, fault(code), {"intuit_tid": "tid-1"})
    assert type(err) is cls
    assert err.status == status and err.code == code and err.intuit_tid == "tid-1"
    assert isinstance(err, QboError)


def test_fields_and_message_text():
    body = fault("6240", "Duplicate Name Exists Error", "The name supplied already exists.")
    err = error_from_response(400, body, {"intuit_tid": "abc"})
    assert err.message == "Duplicate Name Exists Error"
    assert err.detail == "The name supplied already exists."
    assert err.fault_type == "ValidationFault"
    assert "code 6240" in str(err) and "intuit_tid=abc" in str(err)


def test_throttle_code_with_leading_zeros_and_retry_after():
    err = error_from_response(429, fault("003001", ftype="SERVICE"), {"Retry-After": "7"})
    assert isinstance(err, ThrottledError) and err.code == "3001" and err.retry_after == 7.0
    assert err.retryable


def test_several_errors_kept():
    body = {"Fault": {"Error": [{"code": "2020", "Message": "a"}, {"code": "2050"}], "type": "x"}}
    err = error_from_response(400, body)
    assert err.code == "2020" and len(err.errors) == 2


def test_non_json_body_still_gives_a_typed_error():
    err = error_from_response(502, b"<html>Bad gateway</html>")
    assert isinstance(err, ServerError) and err.retryable
    assert "Bad gateway" in err.message
    assert not error_from_response(400, b"").retryable
