"""Mapping Plaid records to DTOs: Decimal amounts, one sign convention, clear rejections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.integrations.plaid.dtos import (
    UnmappableRecord,
    account_from_plaid,
    transaction_from_plaid,
)
from apps.integrations.plaid.errors import (
    ItemLoginRequired,
    MutationDuringPagination,
    PlaidError,
    PlaidServerError,
    RateLimitExceeded,
    error_from_body,
)

from .bank_fixtures import ACCOUNTS, CHECKING, FULL_TRANSACTION

CURRENCY = {CHECKING: "USD"}


def test_transaction_amount_is_exact_decimal_with_plaid_sign() -> None:
    # plaid-python hands us floats; their shortest repr is the decimal Plaid sent.
    dto = transaction_from_plaid({**FULL_TRANSACTION, "amount": 19.99}, CURRENCY)
    assert dto.amount == Decimal("19.99") and str(dto.amount) == "19.99"
    refund = transaction_from_plaid({**FULL_TRANSACTION, "amount": -12.5}, CURRENCY)
    assert refund.amount == Decimal("-12.5") and refund.cash_flow == Decimal("12.5")
    assert not refund.is_outflow
    purchase = transaction_from_plaid(FULL_TRANSACTION, CURRENCY)
    assert purchase.amount == Decimal("72.1") and purchase.cash_flow == Decimal("-72.1")
    assert purchase.date == dt.date(2023, 9, 24)
    assert purchase.authorized_date == dt.date(2023, 9, 22)
    assert purchase.merchant_name == "Walmart"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount": 1e15}, "absurd"),
        ({"amount": float("nan")}, "absurd"),
        ({"amount": None}, "missing"),
        ({"amount": True}, "not a number"),
        ({"iso_currency_code": "EUR"}, "differs from account currency USD"),
        ({"account_id": "elsewhere"}, "unknown account"),
        ({"date": "yesterday"}, "not a date"),
        ({"transaction_id": ""}, "no transaction_id"),
    ],
)
def test_unusable_transactions_are_rejected_with_reason(change: dict, reason: str) -> None:
    with pytest.raises(UnmappableRecord, match=reason):
        transaction_from_plaid({**FULL_TRANSACTION, **change}, CURRENCY)


def test_account_balances_are_decimal() -> None:
    account = account_from_plaid(ACCOUNTS[0])
    assert account.current_balance == Decimal("110.94")
    assert account.currency == "USD" and account.limit is None


def test_error_bodies_map_to_exceptions() -> None:
    def body(error_type: str, code: str) -> bytes:
        return (
            f'{{"error_type": "{error_type}", "error_code": "{code}", "error_message": "m", '
            f'"display_message": null, "request_id": "r1"}}'
        ).encode()

    assert isinstance(
        error_from_body(body("ITEM_ERROR", "ITEM_LOGIN_REQUIRED"), 400), ItemLoginRequired
    )
    assert isinstance(
        error_from_body(body("RATE_LIMIT_EXCEEDED", "ACCOUNTS_LIMIT"), 429), RateLimitExceeded
    )
    mutation = error_from_body(
        body("TRANSACTIONS_ERROR", "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION"), 400
    )
    assert isinstance(mutation, MutationDuringPagination) and mutation.request_id == "r1"
    assert isinstance(error_from_body(b"<html>bad gateway</html>", 502), PlaidServerError)
    other = error_from_body(body("INVALID_INPUT", "INVALID_FIELD"), 400)
    assert type(other) is PlaidError and not other.retryable
