"""Accounts: QBO bank/card accounts and Plaid feed accounts in one query (see the package
docstring for the key and identity rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from apps.bank.selectors import USABLE_STATES, feed_state
from apps.integrations.plaid.models import PlaidItem
from apps.runway.engine import BankAccountBalance
from apps.runway.selectors.base import EPOCH, FEED_KINDS, QBO_KINDS, _fetch, qbo_key

# --- accounts -----------------------------------------------------------------------------------
# QBO bank/card accounts and Plaid feed accounts in one query; the feed's Plaid item (public
# schema, on the search path) is joined for its state.

ACCOUNTS_SQL = """
SELECT 'qbo', a.qbo_id, a.name, '', a.account_type, a.current_balance, a.synced_at,
       a.included_in_runway, FALSE, NULL, NULL, a.currency, NULL, NULL
FROM {account} a
WHERE NOT a.is_deleted AND a.active AND a.account_type IN ('Bank', 'Credit Card')
UNION ALL
SELECT 'feed', f.id::text, f.name, f.mask, f.type, f.current_balance, f.balance_at, NULL,
       f.link_confirmed, la.qbo_id, la.included_in_runway, f.currency, pi.status, pi.last_sync_at
FROM {feedaccount} f
LEFT JOIN {account} la ON la.id = f.linked_account_id
LEFT JOIN {plaiditem} pi ON pi.item_id = f.item_id
WHERE NOT f.removed AND f.type IN ('depository', 'credit')
"""


@dataclass(frozen=True)
class AccountRows:
    """Every counted-or-shown account copy, plus where keys of left-out feed accounts point."""

    accounts: list[BankAccountBalance]
    # feed:<pk> of a left-out feed account → qbo:<id> of its confirmed QBO account, so a
    # transfer the bank labelled with that feed account still lands on the right account.
    aliases: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # feed:<pk> → why it was left out


def feed_item_state(status: str | None, last_sync_at: datetime | None, now: datetime) -> str:
    """"ok", or the Plaid item's state that makes its feed untrustworthy (the bank app's rule,
    `apps.bank.selectors.feed_state`; a consent about to expire still delivers fresh data).
    A feed account without an item row is trusted."""
    if status is None:
        return "ok"
    state = feed_state(PlaidItem(status=status, last_sync_at=last_sync_at), now)[0]
    return "ok" if state in USABLE_STATES else state


def bank_accounts(*, currency: str = "USD", now: datetime | None = None) -> AccountRows:
    """QBO bank/card accounts and the usable bank-feed accounts (one query)."""
    return _accounts(_fetch(ACCOUNTS_SQL, {}), currency, now or timezone.now())


def _accounts(rows: list[tuple], currency: str, now: datetime) -> AccountRows:
    found: list[BankAccountBalance] = []
    aliases: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for (source, ident, name, mask, kind, balance, fresh, included, confirmed, linked_qbo_id,
         linked_in, feed_currency, status, synced) in rows:
        if source == "qbo":
            # A QBO balance is in the account's own currency: the engine converts it.
            found.append(BankAccountBalance(
                qbo_key(ident), name, balance, fresh or EPOCH, "qbo", QBO_KINDS[kind], included,
                currency="" if feed_currency in ("", currency) else feed_currency,
            ))
            continue
        key = f"feed:{ident}"
        linked = confirmed and linked_qbo_id is not None
        # Confirmed with no QBO account: the owner said "a separate account QBO does not have"
        # (`link_confirm(..., None)`), so it counts on its own — balance and, as its only
        # copy, burn. Feed accounts have no include switch of their own.
        separate = confirmed and linked_qbo_id is None
        state = feed_item_state(status, synced, now)
        why = (f"feed {state}" if state != "ok"
               else f"currency {feed_currency}" if feed_currency != currency else "")
        if why:
            skipped[key] = why
            if linked:
                aliases[key] = qbo_key(linked_qbo_id)
            continue
        balance = balance if balance is not None else Decimal("0.00")
        if kind == "credit":  # Plaid: positive = owed; the engine keeps QBO's sign (negative)
            balance = -balance
        found.append(BankAccountBalance(
            key,
            f"{name} ••{mask}" if mask else name,
            balance,
            fresh or EPOCH,
            "bank_feed",
            FEED_KINDS[kind],
            # Unconfirmed feed accounts are not counted; linked ones follow the QBO choice.
            bool(linked_in) if linked else separate,
            qbo_key(linked_qbo_id) if linked else None,
        ))
    return AccountRows(found, aliases, skipped)


def account_balances() -> list[BankAccountBalance]:
    """QBO bank and card accounts."""
    return [a for a in bank_accounts().accounts if a.source == "qbo"]


def feed_balances(*, currency: str = "USD") -> list[BankAccountBalance]:
    """Usable bank-feed (Plaid) accounts."""
    return [a for a in bank_accounts(currency=currency).accounts if a.source == "bank_feed"]

