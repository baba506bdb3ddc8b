"""Money moving through accounts as QBO records it, for bank reconciliation.

The bank feed is reconciled against every live QBO record that moved money through a linked
account; payments (ar) and bill payments (ap) are models of bank's siblings, which bank may not
import. So each domain app's sources of its own records are plugged here (``MOVEMENT_SOURCE``, in
``oodaloo/wiring.py``) and bank reads them all through ``movement_records``. The order of the
sources does not matter: matching sorts its candidates on a full key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.core import hooks


@dataclass(frozen=True)
class QboRecord:
    kind: str  # payment | deposit | bill_payment | purchase | transfer
    pk: int
    account_qbo_id: str
    day: date
    amount: Decimal  # Plaid's sign for this account: + = money out of a bank account
    counterparty: str = ""
    peer_qbo_id: str = ""  # the other account of a transfer (its destination when money out)


# Given the QBO ids of the accounts to reconcile, yields that source's live records on them.
MovementSource = Callable[[set[str]], Iterable[QboRecord]]
# The hook point (apps/core/hooks.py) where oodaloo/wiring.py plugs each app's sources.
MOVEMENT_SOURCE = "ledger.movement_source"


def movement_records(account_qbo_ids: set[str]) -> list[QboRecord]:
    """Every live QBO record moving money through these accounts, with Plaid's sign."""
    if not account_qbo_ids:
        return []
    out: list[QboRecord] = []
    for source in hooks.plugged(MOVEMENT_SOURCE):
        out.extend(source(account_qbo_ids))
    return out
