"""The runway bench's bank feed: the demo agency with its Plaid bank, and the reference SQL.

Data: the same demo agency as the QBO-only rows (same seed, scale, years, real books) in a
business of its own, QBO books stored through the sync's ingest, then its bank connected the
product's way — the Plaid sandbox serves the generator's Plaid files, `feed_connect_sandbox`
exchanges the token, lists the accounts, suggests links and runs the first sync
(`/transactions/sync`), the owner's "these are right" (`link_accept_suggestions`) confirms the
links, and `reconcile` (what every later sync runs) matches the transactions and labels the
transfers.

Reference: one SQL statement implementing the feed's rules as the engine applies them
(docs/runway.md "Accounts", docs/bank-feeds.md "One truth for cash"):
- copies: QBO bank/card accounts (a foreign one without a current rate is dropped) and the usable
  feed accounts (not removed, depository/credit, the business's currency, Plaid item neither
  disconnected nor login-required and synced within 2 days, or no item row); a confirmed link
  makes a feed copy the same account as its QBO account (included as that account is), one
  confirmed without a QBO account ("a separate account") is an account of its own, included;
- an account counts if every copy is included and none is a card; its balance is the freshest
  copy's (`synced_at` vs `balance_at`, a tie to the feed, then the key);
- burn, per counted account: with a feed copy, the feed's posted money out (non-transfers;
  transfers to an account outside runway; a transfer without a destination unless a same-amount
  leg within 3 days lands on another counted account, or QBO records the money going to a counted
  account) — its QBO bill payments, purchases, transfers, journal lines, card payments and refunds
  are not read; without one, the QBO rules of the QBO-only reference.
Transfer pairing is an existence test here (the engine pairs one to one, earliest first); the
totals are asserted equal to the engine's, so a difference shows as a MISMATCH.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

HEAD = """
WITH rate AS (
  SELECT DISTINCT ON (source_currency) source_currency AS cur, rate FROM ledger_exchangerate
  WHERE NOT is_deleted AND target_currency = %(home)s AND as_of <= %(as_of)s
  ORDER BY source_currency, as_of DESC
), qcopy AS (
  SELECT 'qbo:' || a.qbo_id AS key, 'qbo:' || a.qbo_id AS ident, NULL::bigint AS pk,
         a.account_type = 'Bank' AS is_bank, a.included_in_runway AS inc,
         CASE WHEN a.currency IN ('', %(home)s) THEN a.current_balance
              ELSE ROUND(a.current_balance * r.rate, 2) END AS bal,
         COALESCE(a.synced_at, 'epoch'::timestamptz) AS fresh, 0 AS is_feed
  FROM bank_account a LEFT JOIN rate r ON r.cur = a.currency
  WHERE NOT a.is_deleted AND a.active AND a.account_type IN ('Bank', 'Credit Card')
    AND (a.currency IN ('', %(home)s) OR r.rate IS NOT NULL)
), fall AS (
  SELECT f.id, f.type, f.current_balance, f.balance_at, la.included_in_runway AS la_inc,
         f.link_confirmed AS confirmed,
         CASE WHEN f.link_confirmed AND la.qbo_id IS NOT NULL THEN la.qbo_id END AS linked,
         NOT f.removed AND f.type IN ('depository', 'credit') AS listed,
         f.currency = %(home)s AND (pi.item_id IS NULL OR (
           pi.status NOT IN ('disconnected', 'login_required')
           AND COALESCE(pi.last_sync_at >= %(fresh_after)s, FALSE))) AS usable
  FROM {feedaccount} f LEFT JOIN bank_account la ON la.id = f.linked_account_id
  LEFT JOIN {plaiditem} pi ON pi.item_id = f.item_id
), alias AS (
  SELECT 'feed:' || id AS key, 'qbo:' || linked AS to_key FROM fall
  WHERE listed AND NOT usable AND linked IS NOT NULL
), fcopy AS (
  SELECT 'feed:' || id AS key, COALESCE('qbo:' || linked, 'feed:' || id) AS ident, id AS pk,
         type = 'depository' AS is_bank,
         CASE WHEN linked IS NOT NULL THEN la_inc ELSE confirmed END AS inc,
         COALESCE(current_balance, 0) AS bal, COALESCE(balance_at, 'epoch'::timestamptz) AS fresh,
         1 AS is_feed
  FROM fall WHERE listed AND usable
), copies AS (
  SELECT * FROM qcopy UNION ALL SELECT * FROM fcopy
), views AS (
  SELECT ident, bool_and(is_bank) AND bool_and(inc) AS included, bool_or(is_feed = 1) AS has_feed,
         (array_agg(bal ORDER BY fresh DESC, is_feed DESC, key COLLATE "C" DESC))[1] AS bal
  FROM copies GROUP BY ident
), inkeys AS (
  SELECT c.key, c.ident, c.pk, v.has_feed FROM copies c JOIN views v USING (ident)
  WHERE v.included
), acct AS (  -- QBO accounts whose burn QBO feeds (counted, no feed copy)
  SELECT substr(key, 5) AS qbo_id FROM inkeys WHERE pk IS NULL AND NOT has_feed
), inqbo AS (  -- every counted QBO key (journal entries between them are internal)
  SELECT substr(key, 5) AS qbo_id FROM inkeys WHERE pk IS NULL
), cash AS (
  SELECT COALESCE(SUM(bal), 0) AS cash FROM views WHERE included
), reserved AS (
  SELECT COALESCE(SUM(held), 0) AS reserved FROM reserves_reserve WHERE active
), bank_lines AS (
  SELECT e.id, e.txn_date, l.posting_type, l.account_qbo_id,
         CASE WHEN e.currency IN ('', %(home)s) THEN l.amount
              ELSE ROUND(l.amount * e.exchange_rate, 2) END AS amt
  FROM bank_journalentry e JOIN bank_journalentryline l ON l.entry_id = e.id
  JOIN bank_account a ON a.qbo_id = l.account_qbo_id AND a.account_type = 'Bank'
    AND NOT a.is_deleted
  WHERE NOT e.is_deleted AND e.txn_date >= %(pad_start)s AND e.txn_date < %(pad_end)s
    AND (e.currency IN ('', %(home)s) OR e.exchange_rate IS NOT NULL)
), internal AS (
  SELECT id FROM bank_lines GROUP BY id
  HAVING bool_and(account_qbo_id IN (SELECT qbo_id FROM inqbo))
     AND SUM(amt) FILTER (WHERE posting_type = 'Credit')
       = SUM(amt) FILTER (WHERE posting_type = 'Debit')
), hint AS (  -- QBO's record of money from a feed account to a counted account
  SELECT i.ident, t.txn_date AS day, ROUND(t.amount * COALESCE(t.exchange_rate, 1), 2) AS amt
  FROM bank_transfer t JOIN inkeys i ON i.key = 'qbo:' || t.from_account_qbo_id AND i.has_feed
  WHERE NOT t.is_deleted AND t.txn_date >= %(pad_start)s AND t.txn_date < %(pad_end)s
    AND 'qbo:' || t.to_account_qbo_id IN (SELECT key FROM inkeys)
  UNION ALL
  SELECT i.ident, l.txn_date, l.amt
  FROM bank_lines l JOIN inkeys i ON i.key = 'qbo:' || l.account_qbo_id AND i.has_feed
  WHERE l.posting_type = 'Credit' AND l.id IN (SELECT id FROM internal)
), ftx AS (  -- posted feed transactions of counted accounts
  SELECT t.date, t.amount, t.is_transfer, i.ident,
         COALESCE(al.to_key, NULLIF(t.transfer_to_key, '')) AS dest
  FROM {banktransaction} t JOIN inkeys i ON i.pk = t.feed_account_id
  LEFT JOIN alias al ON al.key = t.transfer_to_key
  WHERE NOT t.pending AND t.date >= %(pad_start)s AND t.date < %(pad_end)s
), unlabelled AS (
  SELECT row_number() OVER () AS n, date, amount, ident FROM ftx
  WHERE is_transfer AND dest IS NULL AND amount > 0
    AND date >= %(burn_start)s AND date < %(as_of)s
), legs AS (  -- the other leg on another counted account, or QBO's record on the same one
  SELECT ident, date AS day, -amount AS amt, FALSE AS same FROM ftx
  WHERE is_transfer AND amount < 0
  UNION ALL
  SELECT ident, day, amt, TRUE FROM hint
), paired AS (
  SELECT DISTINCT u.n FROM unlabelled u
  JOIN legs l ON l.amt = u.amount AND (l.ident = u.ident) = l.same AND abs(l.day - u.date) <= 3
), outs AS (
  SELECT home_total AS amt FROM ap_billpayment
  WHERE NOT is_deleted AND txn_date >= %(burn_start)s AND txn_date < %(as_of)s
    AND account_qbo_id IN (SELECT qbo_id FROM acct)
  UNION ALL
  SELECT home_total FROM bank_purchase
  WHERE NOT is_deleted AND NOT is_credit AND txn_date >= %(burn_start)s AND txn_date < %(as_of)s
    AND account_qbo_id IN (SELECT qbo_id FROM acct)
  UNION ALL
  SELECT ROUND(amount * COALESCE(exchange_rate, 1), 2) FROM bank_transfer
  WHERE NOT is_deleted AND txn_date >= %(burn_start)s AND txn_date < %(as_of)s
    AND from_account_qbo_id IN (SELECT qbo_id FROM acct)
    AND 'qbo:' || to_account_qbo_id NOT IN (SELECT key FROM inkeys)
  UNION ALL
  SELECT amt FROM bank_lines
  WHERE posting_type = 'Credit' AND account_qbo_id IN (SELECT qbo_id FROM acct)
    AND txn_date >= %(burn_start)s AND txn_date < %(as_of)s
    AND id NOT IN (SELECT id FROM internal)
  UNION ALL
  SELECT ROUND(amount * COALESCE(exchange_rate, 1), 2) FROM bank_creditcardpayment
  WHERE NOT is_deleted AND txn_date >= %(burn_start)s AND txn_date < %(as_of)s
    AND bank_account_qbo_id IN (SELECT qbo_id FROM acct)
  UNION ALL
  SELECT ROUND(l.amount * COALESCE(p.exchange_rate, 1), 2)
  FROM bank_purchase p JOIN bank_purchaseline l ON l.purchase_id = p.id
  WHERE NOT p.is_deleted AND p.payment_type = 'CreditCard' AND p.is_credit
    AND p.txn_date >= %(burn_start)s AND p.txn_date < %(as_of)s
    AND l.account_qbo_id IN (SELECT qbo_id FROM acct)
  UNION ALL
  SELECT home_total FROM ar_refundreceipt
  WHERE NOT is_deleted AND txn_date >= %(burn_start)s AND txn_date < %(as_of)s
    AND deposit_account_qbo_id IN (SELECT qbo_id FROM acct)
  UNION ALL
  -- The feed: money out that is not a transfer, a transfer leaving runway, and a transfer
  -- without a destination that no leg or QBO record places on a counted account.
  SELECT amount FROM ftx
  WHERE date >= %(burn_start)s AND date < %(as_of)s AND amount > 0
    AND (NOT is_transfer OR (dest IS NOT NULL AND dest NOT IN (SELECT key FROM inkeys)))
  UNION ALL
  SELECT amount FROM unlabelled WHERE n NOT IN (SELECT n FROM paired)
), burn AS (
  SELECT ROUND(COALESCE(SUM(amt), 0) / 90, 2) AS daily_burn FROM outs WHERE amt > 0
)"""


def feed_sql(qbo_only_sql: str) -> str:
    """The statement: the feed's accounts and burn, then the QBO-only reference's forecast (AR
    habits, vendor credits, weeks) unchanged — the feed does not touch open documents."""
    from apps.bank.models import BankTransaction, FeedAccount
    from apps.integrations.plaid.models import PlaidItem

    tail = qbo_only_sql[qbo_only_sql.index(", paid AS ("):]
    return HEAD.format(feedaccount=FeedAccount._meta.db_table,
                       plaiditem=PlaidItem._meta.db_table,
                       banktransaction=BankTransaction._meta.db_table) + tail


def feed_params(params: dict, now) -> dict:
    from apps.bank.selectors import STALE_AFTER
    from apps.runway.engine.burn import HISTORY_WINDOW_DAYS, TRANSFER_PAIRING_DAYS

    pad = timedelta(days=TRANSFER_PAIRING_DAYS)
    start = params["as_of"] - timedelta(days=HISTORY_WINDOW_DAYS)
    return {**params, "pad_start": start - pad, "pad_end": params["as_of"] + pad,
            "fresh_after": now - STALE_AFTER}


def feed_business(slug: str, scale: float, years: float, *, seed: int, as_of, ingest):
    """The demo agency with QBO books and its Plaid bank linked and reconciled (built once)."""
    from django.db import connection
    from django_tenants.utils import tenant_context

    from apps.bank.services.feed_connect import feed_connect_sandbox
    from apps.bank.services.linking import link_accept_suggestions
    from apps.bank.services.reconcile import reconcile
    from apps.demo.generator import generate_company
    from apps.reserves.models import Reserve
    from apps.sandboxes.plaid import start_sandbox
    from apps.tenancy.models import Business
    from apps.tenancy.services import business_provision

    if not Business.objects.filter(slug=slug).exists():
        business_provision(slug=slug, name=f"Bench {slug}", timezone="America/Los_Angeles")
        business = Business.objects.get(slug=slug)
        with tempfile.TemporaryDirectory() as out:
            generate_company(out, seed=seed, years=years, scale=scale, as_of=as_of,
                             real_books=True)
            ingest(business, Path(out) / "qbo")
            with start_sandbox(Path(out) / "plaid") as sandbox:
                feed_connect_sandbox(business, host=sandbox.base_url)
                link_accept_suggestions(business)
                reconcile(business)
        with tenant_context(business):
            Reserve.objects.create(name="Taxes", held=Decimal("30000.00"))
    business = Business.objects.get(slug=slug)
    with tenant_context(business), connection.cursor() as cur:
        cur.execute("ANALYZE")
    return business


def feed_sizes(business) -> dict[str, int]:
    """How much feed the business has, and how much of it the engine can use."""
    from django_tenants.utils import tenant_context

    from apps.bank.models import BankTransaction, FeedAccount
    from apps.runway.selectors.accounts import bank_accounts

    with tenant_context(business):
        rows = bank_accounts(currency=business.currency or "USD")
        return {
            "bank_transactions": BankTransaction.objects.count(),
            "feed_accounts": FeedAccount.objects.filter(removed=False).count(),
            "feed_accounts_linked": FeedAccount.objects.filter(link_confirmed=True).count(),
            "feed_accounts_counted": sum(1 for a in rows.accounts
                                         if a.source == "bank_feed" and a.included),
            "feed_accounts_skipped": len(rows.skipped),
            "unlabelled_transfers": BankTransaction.objects.filter(
                is_transfer=True, transfer_to_key="").count(),
        }


def feed_row(business, name: str, repeats: int, *, engine_vs_sql, mismatches, queries):
    """One "with the bank feed" row: cold runway_compute vs the feed SQL, alternating."""
    from tests.bench.harness import Result

    engine, sql, result, rows = engine_vs_sql(business, repeats, True)
    wrong = mismatches(result, rows)
    sizes = feed_sizes(business)
    ratio = engine.median / sql.median if sql.median else float("inf")
    # Measuring "with the feed" needs the feed to count: linked, usable (synced < 2 days ago).
    feed_counts = sizes["feed_accounts_counted"] > 0 and not sizes["feed_accounts_skipped"]
    burn_from = dict(result.burn.sources)  # account identity → "bank_feed" | "qbo"
    notes = (
        f"{sizes['bank_transactions']:,} bank transactions on {sizes['feed_accounts']} feed "
        f"accounts ({sizes['feed_accounts_linked']} linked by the owner's confirmation, "
        f"{sizes['feed_accounts_counted']} counted, {sizes['feed_accounts_skipped']} left out; "
        f"{sizes['unlabelled_transfers']} transfers reconcile left without a destination), "
        "connected through the Plaid sandbox and synced by the feed's own sync, then "
        "reconciled; same books as the QBO-only row. "
        f"Median of {repeats}, alternating. SQL = the feed's account and burn rules (linked "
        "accounts: freshest balance, burn from the bank transactions, QBO movements of those "
        "accounts not read) plus the QBO-only forecast, one statement; "
        + ("totals equal the engine" if not wrong else "MISMATCH: " + "; ".join(wrong[:3]))
        + f". Cash {result.cash}, daily burn {result.daily_burn}, burn read from the feed for "
        f"{sum(v == 'bank_feed' for v in burn_from.values())} of {len(burn_from)} counted "
        f"accounts. Queries per runway_compute: {queries(business)}."
        + ("" if feed_counts else " FEED NOT COUNTED (stale or unlinked): not a feed measurement.")
    )
    extra = {"figures_equal": not wrong, **sizes,
             "accounts_burn_from_feed": sum(v == "bank_feed" for v in burn_from.values()),
             "accounts_burn_from_qbo": sum(v == "qbo" for v in burn_from.values())}
    return Result(
        name=name, unit="s", target="≤ 2× one SQL query",
        passed=ratio <= 2.0 and not wrong and feed_counts,
        reference="one hand-written SQL query (with the feed's rules)", **sql.reference(),
        ratio=round(ratio, 2), notes=notes, extra=extra, **engine.fields(),
    )
