"""Plain data the Plaid client hands to the domain. Amounts are Decimal.

Sign convention, handled here once: `amount` keeps Plaid's meaning (**positive = money out** of
the account, negative = money in); `cash_flow` is the same money with the inflow-positive sign
most cash math wants. Floats from plaid-python become Decimal through their shortest repr, which
is the exact decimal Plaid sent (up to 15 significant digits).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# Same bound as the sandbox: no bank transaction moves a hundred billion.
ABSURD_AMOUNT = Decimal("100000000000")


class UnmappableRecord(ValueError):
    """A Plaid record our domain cannot take as it is (reason in the message)."""


def to_decimal(value: Any, what: str = "amount") -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise UnmappableRecord(f"{what} {value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise UnmappableRecord(f"{what} {value!r} is not a number") from exc
    if not number.is_finite() or abs(number) >= ABSURD_AMOUNT:
        raise UnmappableRecord(f"{what} {value!r} is absurd")
    return number


def _date(value: Any, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise UnmappableRecord(f"{what} {value!r} is not a date") from exc


def _datetime(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _plain(value: Any) -> Any:
    """plaid-python enum/model wrappers -> str/dict."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return str(value)


@dataclass(frozen=True)
class AccountDTO:
    account_id: str
    name: str
    official_name: str | None
    mask: str | None
    type: str
    subtype: str | None
    currency: str | None
    current_balance: Decimal | None
    available_balance: Decimal | None
    limit: Decimal | None
    balance_updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class TransactionDTO:
    transaction_id: str
    account_id: str
    amount: Decimal  # Plaid's sign: positive = money out
    currency: str | None
    date: dt.date
    authorized_date: dt.date | None
    name: str
    merchant_name: str | None
    pending: bool
    pending_transaction_id: str | None
    payment_channel: str | None
    category_primary: str | None
    category_detailed: str | None
    check_number: str | None
    merchant_entity_id: str | None

    @property
    def cash_flow(self) -> Decimal:
        """Inflow-positive amount (money in > 0, money out < 0)."""
        return -self.amount

    @property
    def is_outflow(self) -> bool:
        return self.amount > 0


@dataclass(frozen=True)
class RemovedTransactionDTO:
    transaction_id: str
    account_id: str | None


@dataclass(frozen=True)
class RejectedRecord:
    """A record the sync received but could not map; kept so nothing disappears silently."""

    transaction_id: str | None
    reason: str
    raw: Mapping[str, Any] = field(hash=False, compare=False, default_factory=dict)

    @property
    def key(self) -> str:
        """Its id, or a digest of its content when it has none — the same in every process
        (``hash()`` of a str is salted per process), so a replay finds the same quarantine row."""
        if self.transaction_id:
            return self.transaction_id[:128]
        content = json.dumps(self.raw, sort_keys=True, default=str).encode()
        return f"no-id:{hashlib.sha256(content).hexdigest()[:32]}"


@dataclass(frozen=True)
class ItemDTO:
    item_id: str
    institution_id: str | None
    institution_name: str | None
    webhook: str | None
    error_code: str | None
    error_type: str | None
    consent_expiration_time: dt.datetime | None
    last_successful_update: dt.datetime | None
    last_failed_update: dt.datetime | None


@dataclass(frozen=True)
class SyncResult:
    added: list[TransactionDTO]
    modified: list[TransactionDTO]
    removed: list[RemovedTransactionDTO]
    next_cursor: str
    accounts: list[AccountDTO] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)
    pages: int = 0
    restarts: int = 0


def account_from_plaid(raw: Mapping[str, Any]) -> AccountDTO:
    balances = raw["balances"]
    return AccountDTO(
        account_id=str(raw["account_id"]),
        name=str(raw["name"]),
        official_name=raw.get("official_name"),
        mask=raw.get("mask"),
        type=str(_plain(raw["type"])),
        subtype=_plain(raw.get("subtype")),
        currency=balances.get("iso_currency_code") or balances.get("unofficial_currency_code"),
        current_balance=to_decimal(balances.get("current"), "current balance"),
        available_balance=to_decimal(balances.get("available"), "available balance"),
        limit=to_decimal(balances.get("limit"), "limit"),
        balance_updated_at=_datetime(balances.get("last_updated_datetime")),
    )


def transaction_from_plaid(
    raw: Mapping[str, Any], account_currency: Mapping[str, str | None] | None = None
) -> TransactionDTO:
    """Map one Plaid Transaction; raise UnmappableRecord with the reason if it cannot be used.

    `account_currency` (account_id -> currency) lets us catch a transaction whose currency
    differs from its account's: summing it into that account's cash would be wrong.
    """
    transaction_id = raw.get("transaction_id")
    if not transaction_id:
        raise UnmappableRecord("transaction has no transaction_id")
    amount = to_decimal(raw.get("amount"))
    if amount is None:
        raise UnmappableRecord("amount is missing")
    account_id = str(raw.get("account_id") or "")
    currency = raw.get("iso_currency_code") or raw.get("unofficial_currency_code")
    if account_currency is not None:
        if account_id not in account_currency:
            raise UnmappableRecord(f"unknown account {account_id!r}")
        expected = account_currency[account_id]
        if expected and currency and currency != expected:
            raise UnmappableRecord(f"currency {currency} differs from account currency {expected}")
    day = _date(raw.get("date"), "date")
    if day is None:
        raise UnmappableRecord("date is missing")
    category = raw.get("personal_finance_category") or {}
    return TransactionDTO(
        transaction_id=str(transaction_id),
        account_id=account_id,
        amount=amount,
        currency=currency,
        date=day,
        authorized_date=_date(raw.get("authorized_date"), "authorized_date"),
        name=str(raw.get("name") or raw.get("merchant_name") or ""),
        merchant_name=raw.get("merchant_name"),
        pending=bool(raw.get("pending")),
        pending_transaction_id=raw.get("pending_transaction_id"),
        payment_channel=_plain(raw.get("payment_channel")),
        category_primary=category.get("primary"),
        category_detailed=category.get("detailed"),
        check_number=raw.get("check_number"),
        merchant_entity_id=raw.get("merchant_entity_id"),
    )


def item_from_plaid(item: Mapping[str, Any], status: Mapping[str, Any] | None) -> ItemDTO:
    error = item.get("error") or {}
    transactions = (status or {}).get("transactions") or {}
    return ItemDTO(
        item_id=str(item["item_id"]),
        institution_id=item.get("institution_id"),
        institution_name=item.get("institution_name"),
        webhook=item.get("webhook"),
        error_code=error.get("error_code"),
        error_type=_plain(error.get("error_type")),
        consent_expiration_time=_datetime(item.get("consent_expiration_time")),
        last_successful_update=_datetime(transactions.get("last_successful_update")),
        last_failed_update=_datetime(transactions.get("last_failed_update")),
    )
