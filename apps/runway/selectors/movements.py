"""Cash movements of the accounts that feed burn, pre-aggregated in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from apps.runway.engine import (
    BankAccountBalance,
    CashMovement,
)
from apps.runway.engine.burn import HISTORY_WINDOW_DAYS, TRANSFER_PAIRING_DAYS
from apps.runway.engine.cash import AccountBook
from apps.runway.selectors.base import _fetch

# --- movements ---------------------------------------------------------------------------------
# Plain outflows (bill payments, purchases, non-transfer feed rows) are summed in SQL per (day,
# account, kind, counterparty, counterparty id) — grouped on the raw columns, the vendor's name
# joined on the groups only — and only on the accounts whose burn they feed (included, and the
# account's burn source: the feed if it has one, else QBO), only money out, only the engine's
# history window. Everything the engine would drop is dropped, and what it keeps it only ever
# sums per day and series key (burn total; recurring detection merges same-day payments) — so
# the figures are those of the row-level input (tests/runway/test_selectors_fast_path.py
# compares both). Transfers stay one row per leg: their pairing is per transaction; a feed
# transfer carries the destination reconciliation found (`transfer_to_key`); a feed row that
# reconciliation matched to a QBO bill payment carries its vendor's id. Rows come in the
# row-level loader's order (source, then the first id), which keeps "first name seen" of a
# series identical. The partial (account, date) indexes of bill payments and purchases serve
# this query (most purchases of an agency are on cards, which never feed burn).

MOVEMENTS_SQL = """
WITH plain AS (
  SELECT 0 AS src, MIN(bp.id) AS first_id, bp.txn_date AS day, 'qbo:' || bp.account_qbo_id AS acct,
         'qbo' AS source, 'bill_payment' AS kind, bp.vendor_id AS vid, '' AS who,
         bp.vendor_qbo_id AS who_id, SUM(bp.home_total) AS amount
  FROM {billpayment} bp
  WHERE NOT bp.is_deleted AND bp.txn_date >= %(mv_start)s AND bp.txn_date <= %(as_of)s
    AND bp.account_qbo_id = ANY(%(qbo_accounts)s::text[]) AND bp.home_total > 0
  GROUP BY bp.txn_date, bp.account_qbo_id, bp.vendor_id, bp.vendor_qbo_id
  UNION ALL
  SELECT 1, MIN(p.id), p.txn_date, 'qbo:' || p.account_qbo_id, 'qbo', 'purchase', NULL,
         p.counterparty,
         CASE WHEN p.counterparty_qbo_id <> '' AND p.counterparty_type IN ('Customer', 'Employee')
              THEN lower(p.counterparty_type) || ':' || p.counterparty_qbo_id
              ELSE p.counterparty_qbo_id END,
         SUM(CASE WHEN p.is_credit THEN -p.home_total ELSE p.home_total END)
  FROM {purchase} p
  WHERE NOT p.is_deleted AND p.txn_date >= %(mv_start)s AND p.txn_date <= %(as_of)s
    AND p.account_qbo_id = ANY(%(qbo_accounts)s::text[])
    AND CASE WHEN p.is_credit THEN -p.home_total ELSE p.home_total END > 0
  GROUP BY p.txn_date, p.account_qbo_id, p.counterparty, p.counterparty_qbo_id,
           p.counterparty_type
  UNION ALL
  SELECT 3, MIN(t.id), t.date, 'feed:' || t.feed_account_id, 'bank_feed',
         CASE WHEN strpos(lower(t.category), 'payroll') > 0 THEN 'payroll' ELSE 'other' END,
         NULL, COALESCE(NULLIF(t.merchant_name, ''), NULLIF(t.counterparty, ''), t.name),
         COALESCE(mbp.vendor_qbo_id, ''), SUM(t.amount)
  FROM {banktransaction} t
  LEFT JOIN {billpayment} mbp ON t.matched_type = 'bill_payment' AND mbp.id = t.matched_id
  WHERE NOT t.pending AND NOT t.is_transfer AND t.amount > 0
    AND t.date >= %(mv_start)s AND t.date <= %(as_of)s
    AND t.feed_account_id = ANY(%(feed_accounts)s::bigint[])
  GROUP BY t.date, t.feed_account_id, 6, 8, 9
)
SELECT p.day, p.amount, p.acct AS account, p.source, p.kind,
       CASE WHEN p.src = 0 THEN COALESCE(v.display_name, '') ELSE COALESCE(p.who, '') END AS who,
       NULLIF(p.who_id, '') AS who_id, NULL AS dest, p.src, p.first_id, 0 AS leg
FROM plain p LEFT JOIN {vendor} v ON v.id = p.vid
UNION ALL
SELECT t.txn_date, ROUND(t.amount * COALESCE(t.exchange_rate, 1), 2),
       'qbo:' || t.from_account_qbo_id, 'qbo', 'transfer',
       CASE WHEN COALESCE(a.name, '') <> '' THEN 'Transfer to ' || a.name ELSE '' END, NULL,
       CASE WHEN t.to_account_qbo_id <> '' THEN 'qbo:' || t.to_account_qbo_id END, 2, t.id, 0
FROM {transfer} t LEFT JOIN {account} a ON a.id = t.to_account_id
WHERE NOT t.is_deleted AND t.from_account_qbo_id <> ''
  AND t.txn_date >= %(pad_start)s AND t.txn_date < %(pad_end)s
UNION ALL
SELECT t.txn_date, -ROUND(t.amount * COALESCE(t.exchange_rate, 1), 2),
       'qbo:' || t.to_account_qbo_id, 'qbo', 'transfer', '', NULL, NULL,
       2, t.id, 1
FROM {transfer} t
WHERE NOT t.is_deleted AND t.to_account_qbo_id <> ''
  AND t.txn_date >= %(pad_start)s AND t.txn_date < %(pad_end)s
UNION ALL
SELECT t.date, t.amount, 'feed:' || t.feed_account_id, 'bank_feed', 'transfer',
       COALESCE(NULLIF(t.merchant_name, ''), NULLIF(t.counterparty, ''), t.name), NULL,
       NULLIF(t.transfer_to_key, ''), 3, t.id, 0
FROM {banktransaction} t
WHERE t.is_transfer AND NOT t.pending AND t.feed_account_id = ANY(%(all_feeds)s::bigint[])
  AND t.date >= %(pad_start)s AND t.date < %(pad_end)s
"""


def burn_accounts(accounts: Sequence[BankAccountBalance]) -> tuple[list[str], list[int]]:
    """(QBO ids, feed pks) whose plain outflows count: the engine's own account rules decide."""
    book = AccountBook(tuple(accounts))
    qbo_ids: list[str] = []
    feed_pks: list[int] = []
    for view in book.included_views:
        for key in view.account_keys:
            if view.has_feed and key.startswith("feed:"):
                feed_pks.append(int(key.removeprefix("feed:")))
            elif not view.has_feed and key.startswith("qbo:"):
                qbo_ids.append(key.removeprefix("qbo:"))
    return qbo_ids, feed_pks


def _window_params(as_of: date) -> dict[str, Any]:
    """The history window (and its transfer-pairing pad) of the movements and journal lines."""
    pad = timedelta(days=TRANSFER_PAIRING_DAYS)
    start = as_of - timedelta(days=HISTORY_WINDOW_DAYS)
    return {"mv_start": start, "pad_start": start - pad, "pad_end": as_of + pad}


def _movement_params(as_of: date, accounts: Sequence[BankAccountBalance]) -> dict[str, Any]:
    qbo_ids, feed_pks = burn_accounts(accounts)
    all_feeds = [int(a.account_key.removeprefix("feed:")) for a in accounts
                 if a.source == "bank_feed"]
    return {
        **_window_params(as_of),
        "qbo_accounts": qbo_ids, "feed_accounts": feed_pks, "all_feeds": all_feeds,
    }


def _movements(rows: list[tuple], aliases: dict[str, str]) -> list[CashMovement]:
    # Rows are CashMovement's fields in order (names never NULL, ids NULL when blank), then the
    # row-level order (source, first id, leg) — sorted here rather than by Postgres: this runs
    # while Postgres computes the habit statistics (`runway_inputs_started`).
    rows.sort(key=itemgetter(8, 9, 10))
    make = CashMovement._make  # numeric columns are Decimal: no check needed
    found = [make(row[:8]) for row in rows]
    if aliases:
        found = [m._replace(transfer_to_account_key=aliases[m.transfer_to_account_key])
                 if m.transfer_to_account_key in aliases else m for m in found]
    return found


def cash_movements(
    as_of: date, accounts: Sequence[BankAccountBalance], aliases: dict[str, str] | None = None
) -> list[CashMovement]:
    """Burn-relevant money movements, pre-aggregated (see MOVEMENTS_SQL), in one query."""
    params = {"as_of": as_of, **_movement_params(as_of, accounts)}
    return _movements(_fetch(MOVEMENTS_SQL, params), aliases or {})

