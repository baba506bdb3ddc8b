"""Cash position: which accounts count, each real account once, freshest balance wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from .inputs import BankAccountBalance, Reserve
from .money import ZERO


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class AccountView:
    """One real account after identity linking (its QBO and bank-feed copies merged)."""

    identity: str
    name: str
    balance: Decimal
    balance_source: str
    kind: str
    included: bool
    has_feed: bool
    account_keys: tuple[str, ...]


def _freshness(copy: BankAccountBalance) -> tuple[datetime, int, str]:
    stamp = copy.fresh_at
    if isinstance(stamp, datetime):
        moment = stamp.astimezone(UTC).replace(tzinfo=None) if stamp.tzinfo else stamp
    else:
        moment = datetime.combine(stamp, time.min)
    # On a tie the bank's own number beats QBO's book balance; then a stable order.
    return (moment, 1 if copy.source == "bank_feed" else 0, copy.account_key)


class AccountBook:
    """Maps every account key (QBO or feed) to its real account and says what counts."""

    def __init__(self, accounts: tuple[BankAccountBalance, ...]) -> None:
        groups: dict[str, list[BankAccountBalance]] = {}
        for copy in accounts:
            groups.setdefault(copy.identity, []).append(copy)
        self.views: dict[str, AccountView] = {}
        self.key_to_identity: dict[str, str] = {}
        for identity, copies in groups.items():
            freshest = max(copies, key=_freshness)
            kind = "credit_card" if any(c.kind == "credit_card" for c in copies) else "bank"
            self.views[identity] = AccountView(
                identity=identity,
                name=freshest.name,
                balance=freshest.balance,
                balance_source=freshest.source,
                kind=kind,
                # Excluding either copy excludes the account; cards are never cash.
                included=kind == "bank" and all(c.included for c in copies),
                has_feed=any(c.source == "bank_feed" for c in copies),
                account_keys=tuple(sorted(c.account_key for c in copies)),
            )
            for c in copies:
                self.key_to_identity[c.account_key] = identity

    def view_of(self, account_key: str | None) -> AccountView | None:
        if account_key is None:
            return None
        identity = self.key_to_identity.get(account_key)
        return self.views.get(identity) if identity is not None else None

    def is_included(self, account_key: str | None) -> bool:
        view = self.view_of(account_key)
        return view is not None and view.included

    @property
    def included_views(self) -> list[AccountView]:
        return sorted((v for v in self.views.values() if v.included), key=lambda v: v.identity)

    @property
    def cash(self) -> Decimal:
        return sum((v.balance for v in self.included_views), ZERO)


def reserved_total(reserves: tuple[Reserve, ...]) -> Decimal:
    return sum((r.held for r in reserves if r.active), ZERO)


def as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value
