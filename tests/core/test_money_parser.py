"""The one money parser (apps/core/money.parse_money): Decimal only, never floats, clear errors."""

from decimal import Decimal

import pytest

from apps.core.errors import ApplicationError
from apps.core.money import parse_money


@pytest.mark.parametrize("text, expected", [
    ("1,250.00", "1250.00"), ("$40", "40.00"), (" 7.5 ", "7.50"), (Decimal("3"), "3.00"),
    (12, "12.00"), ("1.000", "1.00"),
])
def test_amounts_people_type_are_read_exactly(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("value, words", [
    (0.1, "exact amount"), (True, "exact amount"), ("ten", "not an amount"),
    ("NaN", "not an amount"), (Decimal("Infinity"), "not an amount"),
    ("1.001", "more than two decimal places"), ("0", "more than zero"), ("-5", "more than zero"),
])
def test_bad_amounts_are_refused_never_rounded(value, words):
    with pytest.raises(ValueError, match=words):
        parse_money(value)


def test_zero_when_allowed_and_the_callers_error_and_code():
    assert parse_money("0", allow_zero=True) == Decimal("0.00")
    with pytest.raises(ApplicationError, match="target must be zero or more") as caught:
        parse_money("-1", what="target", allow_zero=True, error=ApplicationError, code="bad")
    assert caught.value.code == "bad"
