"""Books → engine inputs in three round trips, whatever the size of the books: the accounts
(QBO and bank feed, one query) with every input not depending on them, then the movements of
the accounts that feed burn, then the habit statistics — left running while the caller computes
burn and recurring series (`runway_inputs_started`; `runway_inputs` waits for everything). Each
input kind also has its own single-query function (same SQL), used by tests and the row-level
oracle.

Account keys: a QBO account is `qbo:<QBO id>`, a bank-feed account `feed:<pk>`. A feed account
whose link to a QBO account is confirmed shares that account's identity (`linked_key`), so the
real account counts once; a feed account without a confirmed link is shown but not counted
(counting it next to its unlinked QBO copy would count the money twice), unless the owner
confirmed it as "a separate account" QBO does not have: then it counts on its own (balance, and
burn from its feed). A feed account whose Plaid item is not `ok` (stopped, login required, …)
or whose currency is not the business's is left out entirely: its QBO account is then read from
QBO alone (balance and burn); a separate one is then not counted at all.
"""

from apps.runway.selectors.accounts import (
    AccountRows,
    account_balances,
    bank_accounts,
    feed_balances,
    feed_item_state,
)
from apps.runway.selectors.base import feed_key, qbo_key
from apps.runway.selectors.documents import (
    _middle_values,
    issued_documents,
    open_bills,
    open_invoices,
    paid_invoice_stats,
)
from apps.runway.selectors.movements import burn_accounts, cash_movements
from apps.runway.selectors.owner import active_reserves, series_overrides
from apps.runway.selectors.pending import (
    PendingStatements,
    StartedInputs,
    runway_inputs,
    runway_inputs_started,
)

__all__ = [
    "AccountRows",
    "PendingStatements",
    "StartedInputs",
    "_middle_values",
    "account_balances",
    "active_reserves",
    "bank_accounts",
    "burn_accounts",
    "cash_movements",
    "feed_balances",
    "feed_item_state",
    "feed_key",
    "issued_documents",
    "open_bills",
    "open_invoices",
    "paid_invoice_stats",
    "qbo_key",
    "runway_inputs",
    "runway_inputs_started",
    "series_overrides",
]
