"""Books → engine inputs in three round trips, whatever the size of the books: the accounts
(QBO and bank feed, one query), every other input but the habit statistics in one go, then the
habit statistics — left running while the caller computes burn and recurring series
(`runway_inputs_started`; `runway_inputs` waits for everything). Each input kind also has its
own single-query function (same SQL), used by tests and the row-level oracle.

Account keys: a QBO account is `qbo:<QBO id>`, a bank-feed account `feed:<pk>`. A feed account
whose link to a QBO account is confirmed shares that account's identity (`linked_key`), so the
real account counts once; a feed account without a confirmed link is shown but not counted
(counting it next to its unlinked QBO copy would count the money twice). A feed account whose
Plaid item is not `ok` (stopped, login required, …) or whose currency is not the business's is
left out entirely: its QBO account is then read from QBO alone (balance and burn).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from operator import itemgetter
from time import monotonic
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg import ClientCursor
from psycopg.adapt import Transformer
from psycopg.errors import error_from_result
from psycopg.pq import ExecStatus

from apps.ap.models import Bill, BillPayment, Vendor
from apps.ar.models import Customer, Invoice
from apps.bank.models import Account, BankTransaction, FeedAccount, Purchase, Transfer
from apps.bank.selectors import USABLE_STATES, feed_state
from apps.integrations.plaid.models import PlaidItem
from apps.reserves.models import Reserve as ReserveRow
from apps.runway.engine import (
    BankAccountBalance,
    CashMovement,
    CustomerPaidStats,
    IssuedDocument,
    OpenBill,
    OpenInvoice,
    PaidInvoiceStats,
    Reserve,
    RunwayInputs,
    SeriesOverride,
)
from apps.runway.engine.burn import HISTORY_WINDOW_DAYS, TRANSFER_PAIRING_DAYS
from apps.runway.engine.cash import AccountBook
from apps.runway.engine.habits import HABIT_LAST_N, HABIT_WINDOW_DAYS
from apps.runway.models import RecurringSeriesOverride

ISSUED_DAYS = 90

FEED_KINDS = {"depository": "bank", "credit": "credit_card"}  # loans/investments are not cash
QBO_KINDS = {Account.Type.BANK: "bank", Account.Type.CREDIT_CARD: "credit_card"}
EPOCH = datetime.combine(date(1970, 1, 1), time.min, tzinfo=UTC)


def qbo_key(qbo_id: str) -> str:
    return f"qbo:{qbo_id}"


def feed_key(pk: int) -> str:
    return f"feed:{pk}"


def _tables() -> dict[str, str]:
    return {
        "billpayment": BillPayment._meta.db_table,
        "vendor": Vendor._meta.db_table,
        "purchase": Purchase._meta.db_table,
        "banktransaction": BankTransaction._meta.db_table,
        "transfer": Transfer._meta.db_table,
        "account": Account._meta.db_table,
        "feedaccount": FeedAccount._meta.db_table,
        "plaiditem": PlaidItem._meta.db_table,
        "customer": Customer._meta.db_table,
        "invoice": Invoice._meta.db_table,
        "bill": Bill._meta.db_table,
        "reserve": ReserveRow._meta.db_table,
        "override": RecurringSeriesOverride._meta.db_table,
    }


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql.format(**_tables()), params)
        return cur.fetchall()


# --- accounts -----------------------------------------------------------------------------------
# QBO bank/card accounts and Plaid feed accounts in one query; the feed's Plaid item (public
# schema, on the search path) is joined for its state.

ACCOUNTS_SQL = """
SELECT 'qbo', a.qbo_id, a.name, '', a.account_type, a.current_balance, a.synced_at,
       a.included_in_runway, FALSE, NULL, NULL, '', NULL, NULL
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
    now = now or timezone.now()
    found: list[BankAccountBalance] = []
    aliases: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for (source, ident, name, mask, kind, balance, fresh, included, confirmed, linked_qbo_id,
         linked_in, feed_currency, status, synced) in _fetch(ACCOUNTS_SQL, {}):
        if source == "qbo":
            found.append(BankAccountBalance(
                qbo_key(ident), name, balance, fresh or EPOCH, "qbo", QBO_KINDS[kind], included,
            ))
            continue
        key = f"feed:{ident}"
        linked = confirmed and linked_qbo_id is not None
        state = feed_item_state(status, synced, now)
        why = (f"feed {state}" if state != "ok"
               else f"currency {feed_currency}" if feed_currency != currency else "")
        if why:
            skipped[key] = why
            if linked:
                aliases[key] = qbo_key(linked_qbo_id)
            continue
        found.append(BankAccountBalance(
            key,
            f"{name} ••{mask}" if mask else name,
            balance if balance is not None else Decimal("0.00"),
            fresh or EPOCH,
            "bank_feed",
            FEED_KINDS[kind],
            # Unconfirmed feed accounts are not counted; linked ones follow the QBO choice.
            bool(linked and linked_in),
            qbo_key(linked_qbo_id) if linked else None,
        ))
    return AccountRows(found, aliases, skipped)


def account_balances() -> list[BankAccountBalance]:
    """QBO bank and card accounts."""
    return [a for a in bank_accounts().accounts if a.source == "qbo"]


def feed_balances(*, currency: str = "USD") -> list[BankAccountBalance]:
    """Usable bank-feed (Plaid) accounts."""
    return [a for a in bank_accounts(currency=currency).accounts if a.source == "bank_feed"]


# --- movements ---------------------------------------------------------------------------------
# Plain outflows (bill payments, purchases, non-transfer feed rows) are summed in SQL per (day,
# account, kind, counterparty, counterparty id) — grouped on the raw columns, the vendor's name
# joined on the groups only — and only on the accounts whose burn they feed (included, and the
# account's burn source: the feed if it has one, else QBO), only money out, only the engine's
# history window. Everything the engine would drop is dropped, and what it keeps it only ever
# sums per day and series key (burn total; recurring detection merges same-day payments) — so
# the figures are those of the row-level input (tests/runway/test_selectors_fast_path.py
# compares both). Transfers stay one row per leg: their pairing is per transaction; a feed
# transfer carries the destination reconciliation found (`transfer_to_key`). Rows come in the
# row-level loader's order (source, then the first id), which keeps "first name seen" of a
# series identical. The partial (account, date) indexes of bill payments and purchases serve
# this query (most purchases of an agency are on cards, which never feed burn).

MOVEMENTS_SQL = """
WITH plain AS (
  SELECT 0 AS src, MIN(bp.id) AS first_id, bp.txn_date AS day, 'qbo:' || bp.account_qbo_id AS acct,
         'qbo' AS source, 'bill_payment' AS kind, bp.vendor_id AS vid, '' AS who,
         bp.vendor_qbo_id AS who_id, SUM(bp.home_total) AS amount
  FROM {billpayment} bp
  WHERE NOT bp.is_deleted AND bp.txn_date >= %(mv_start)s AND bp.txn_date < %(as_of)s
    AND bp.account_qbo_id = ANY(%(qbo_accounts)s::text[]) AND bp.home_total > 0
  GROUP BY bp.txn_date, bp.account_qbo_id, bp.vendor_id, bp.vendor_qbo_id
  UNION ALL
  SELECT 1, MIN(p.id), p.txn_date, 'qbo:' || p.account_qbo_id, 'qbo', 'purchase', NULL,
         p.counterparty, p.counterparty_qbo_id,
         SUM(CASE WHEN p.is_credit THEN -p.home_total ELSE p.home_total END)
  FROM {purchase} p
  WHERE NOT p.is_deleted AND p.txn_date >= %(mv_start)s AND p.txn_date < %(as_of)s
    AND p.account_qbo_id = ANY(%(qbo_accounts)s::text[])
    AND CASE WHEN p.is_credit THEN -p.home_total ELSE p.home_total END > 0
  GROUP BY p.txn_date, p.account_qbo_id, p.counterparty, p.counterparty_qbo_id
  UNION ALL
  SELECT 3, MIN(t.id), t.date, 'feed:' || t.feed_account_id, 'bank_feed',
         CASE WHEN strpos(lower(t.category), 'payroll') > 0 THEN 'payroll' ELSE 'other' END,
         NULL, COALESCE(NULLIF(t.merchant_name, ''), NULLIF(t.counterparty, ''), t.name), '',
         SUM(t.amount)
  FROM {banktransaction} t
  WHERE NOT t.pending AND NOT t.is_transfer AND t.amount > 0
    AND t.date >= %(mv_start)s AND t.date < %(as_of)s
    AND t.feed_account_id = ANY(%(feed_accounts)s::bigint[])
  GROUP BY t.date, t.feed_account_id, 6, 8
)
SELECT p.day, p.amount, p.acct AS account, p.source, p.kind,
       CASE WHEN p.src = 0 THEN COALESCE(v.display_name, '') ELSE COALESCE(p.who, '') END AS who,
       NULLIF(p.who_id, '') AS who_id, NULL AS dest, p.src, p.first_id, 0 AS leg
FROM plain p LEFT JOIN {vendor} v ON v.id = p.vid
UNION ALL
SELECT t.txn_date, t.amount, 'qbo:' || t.from_account_qbo_id, 'qbo', 'transfer',
       CASE WHEN COALESCE(a.name, '') <> '' THEN 'Transfer to ' || a.name ELSE '' END, NULL,
       CASE WHEN t.to_account_qbo_id <> '' THEN 'qbo:' || t.to_account_qbo_id END, 2, t.id, 0
FROM {transfer} t LEFT JOIN {account} a ON a.id = t.to_account_id
WHERE NOT t.is_deleted AND t.from_account_qbo_id <> ''
  AND t.txn_date >= %(pad_start)s AND t.txn_date < %(pad_end)s
UNION ALL
SELECT t.txn_date, -t.amount, 'qbo:' || t.to_account_qbo_id, 'qbo', 'transfer', '', NULL, NULL,
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


def _movement_params(as_of: date, accounts: Sequence[BankAccountBalance]) -> dict[str, Any]:
    qbo_ids, feed_pks = burn_accounts(accounts)
    all_feeds = [int(a.account_key.removeprefix("feed:")) for a in accounts
                 if a.source == "bank_feed"]
    pad = timedelta(days=TRANSFER_PAIRING_DAYS)
    start = as_of - timedelta(days=HISTORY_WINDOW_DAYS)
    return {
        "mv_start": start, "pad_start": start - pad, "pad_end": as_of + pad,
        "qbo_accounts": qbo_ids, "feed_accounts": feed_pks, "all_feeds": all_feeds,
    }


def _movements(rows: list[tuple], aliases: dict[str, str]) -> list[CashMovement]:
    # Rows are CashMovement's fields in order (names never NULL, ids NULL when blank), then the
    # row-level order (source, first id, leg) — sorted here rather than by Postgres: this runs
    # while Postgres computes the habit statistics (`runway_inputs_started`).
    rows.sort(key=itemgetter(8, 9, 10))
    found = [CashMovement(*row[:8]) for row in rows]
    if aliases:
        found = [replace(m, transfer_to_account_key=aliases[m.transfer_to_account_key])
                 if m.transfer_to_account_key in aliases else m for m in found]
    return found


def cash_movements(
    as_of: date, accounts: Sequence[BankAccountBalance], aliases: dict[str, str] | None = None
) -> list[CashMovement]:
    """Burn-relevant money movements, pre-aggregated (see MOVEMENTS_SQL), in one query."""
    params = {"as_of": as_of, **_movement_params(as_of, accounts)}
    return _movements(_fetch(MOVEMENTS_SQL, params), aliases or {})


# --- receivables and payables ------------------------------------------------------------------

OPEN_INVOICES_SQL = """
SELECT i.id, i.customer_qbo_id, COALESCE(c.display_name, ''), i.txn_date, i.due_date,
       i.home_balance, i.home_total, i.expected_date
FROM {invoice} i LEFT JOIN {customer} c ON c.id = i.customer_id
WHERE NOT i.is_deleted AND i.balance > 0
ORDER BY i.id
"""


def _open_invoices(rows: list[tuple]) -> list[OpenInvoice]:
    return [OpenInvoice(str(pk), cid, name, txn, due, balance, total, expected)
            for pk, cid, name, txn, due, balance, total, expected in rows]


def open_invoices() -> list[OpenInvoice]:
    """Open invoices (`Invoice.objects.open()`), id = the pk (what decisions use)."""
    return _open_invoices(_fetch(OPEN_INVOICES_SQL, {}))


# Per customer: its last 12 fully paid invoices of the window (paid date, then the id as text —
# the engine's tie-break — descending) reduced to sums, the name joined on the ~hundreds of result
# rows only; plus, in the same aggregation pass (grouping sets), a histogram of days late and of
# days to pay over every paid invoice of the window — days are small integers, so a count per
# value replaces sorting every paid invoice for the medians; `_middle_values` reads the two
# middle values off it. Byte-order ("C") collation: grouping by the id needs equality only, and
# it sorts several times faster than a locale. GROUPING(cid, late, to_pay): 3 = per customer,
# 5 = per days-late value, 6 = per days-to-pay value.
PAID_STATS_SQL = """
WITH paid AS (
  SELECT i.customer_qbo_id COLLATE "C" AS cid, i.customer_id AS cust,
         i.paid_date - i.txn_date AS to_pay,
         i.paid_date - COALESCE(i.due_date, i.txn_date) AS late,
         row_number() OVER (PARTITION BY i.customer_qbo_id COLLATE "C"
                            ORDER BY i.paid_date DESC, CAST(i.id AS text) COLLATE "C" DESC) AS rn
  FROM {invoice} i
  WHERE NOT i.is_deleted AND i.balance = 0 AND i.paid_date >= %(habit_start)s
    AND i.paid_date < %(as_of)s
), grouped AS (
  SELECT GROUPING(cid, late, to_pay) AS g, cid, late, to_pay, COUNT(*) AS cnt,
         MIN(cust) FILTER (WHERE rn = 1) AS cust,
         COUNT(*) FILTER (WHERE rn <= %(last_n)s) AS n,
         SUM(to_pay) FILTER (WHERE rn <= %(last_n)s) AS pay_sum,
         SUM(late) FILTER (WHERE rn <= %(last_n)s) AS late_sum
  FROM paid GROUP BY GROUPING SETS ((cid), (late), (to_pay))
)
SELECT g.g, g.cid, COALESCE(c.display_name, ''), g.n, g.pay_sum, g.late_sum, g.late, g.to_pay,
       g.cnt
FROM grouped g LEFT JOIN {customer} c ON g.g = 3 AND c.id = g.cust
"""


def _middle_values(histogram: list[tuple[int, int]], n: int) -> tuple[int, int] | None:
    """The values at positions (n + 1) // 2 and n // 2 + 1 of the sorted list a histogram of
    (value, count) describes: the two middle values (the same one twice for an odd n)."""
    if not n:
        return None
    low_at, high_at = (n + 1) // 2, n // 2 + 1
    seen, low = 0, None
    for value, count in sorted(histogram):
        seen += count
        if low is None and seen >= low_at:
            low = value
        if seen >= high_at:
            return low, value
    raise ValueError("histogram counts do not add up to n")


def _paid_stats(rows: list[tuple]) -> PaidInvoiceStats:
    customers: list[CustomerPaidStats] = []
    late_hist: list[tuple[int, int]] = []
    pay_hist: list[tuple[int, int]] = []
    for g, cid, name, n, pay_sum, late_sum, late, to_pay, count in rows:
        if g == 3:
            customers.append(CustomerPaidStats(cid, name, n, int(pay_sum), int(late_sum)))
        elif g == 5:
            late_hist.append((late, count))
        else:
            pay_hist.append((to_pay, count))
    paid = sum(count for _, count in late_hist)
    return PaidInvoiceStats(
        customers=tuple(customers),
        paid_in_window=paid,
        days_late_middle=_middle_values(late_hist, paid),
        days_to_pay_middle=_middle_values(pay_hist, paid),
    )


def _paid_params(as_of: date) -> dict[str, Any]:
    return {"habit_start": as_of - timedelta(days=HABIT_WINDOW_DAYS), "last_n": HABIT_LAST_N}


def paid_invoice_stats(as_of: date) -> PaidInvoiceStats:
    """Fully paid invoices of the habit window (2 years) reduced to habit statistics, one query."""
    return _paid_stats(_fetch(PAID_STATS_SQL, {"as_of": as_of, **_paid_params(as_of)}))


OPEN_BILLS_SQL = """
SELECT b.id, b.vendor_qbo_id, COALESCE(v.display_name, ''), b.txn_date, b.due_date,
       b.home_balance, b.home_total, b.scheduled_date
FROM {bill} b LEFT JOIN {vendor} v ON v.id = b.vendor_id
WHERE NOT b.is_deleted AND b.balance > 0
ORDER BY b.id
"""


def _open_bills(rows: list[tuple]) -> list[OpenBill]:
    return [OpenBill(str(pk), vid, name, txn, due, balance, total, scheduled)
            for pk, vid, name, txn, due, balance, total, scheduled in rows]


def open_bills() -> list[OpenBill]:
    """Open bills (`Bill.objects.open()`), id = the pk."""
    return _open_bills(_fetch(OPEN_BILLS_SQL, {}))


ISSUED_SQL = """
SELECT 'invoice', txn_date, SUM(home_total) FROM {invoice}
WHERE NOT is_deleted AND txn_date >= %(issued_start)s AND txn_date < %(as_of)s GROUP BY txn_date
UNION ALL
SELECT 'bill', txn_date, SUM(home_total) FROM {bill}
WHERE NOT is_deleted AND txn_date >= %(issued_start)s AND txn_date < %(as_of)s GROUP BY txn_date
"""


def _issued(rows: list[tuple]) -> list[IssuedDocument]:
    return [IssuedDocument(kind, day, total) for kind, day, total in rows]


def issued_documents(as_of: date) -> list[IssuedDocument]:
    """Invoices and bills (live, any state) dated in the trailing 90 days, summed per kind and
    day — DSO/DPO only ever use their sums. One query."""
    params = {"as_of": as_of, "issued_start": as_of - timedelta(days=ISSUED_DAYS)}
    return _issued(_fetch(ISSUED_SQL, params))


# --- reserves and the owner's overrides ---------------------------------------------------------

RESERVES_SQL = """
SELECT id, name, held, target, due_date FROM {reserve} WHERE active ORDER BY name, id
"""


def _reserves(rows: list[tuple]) -> list[Reserve]:
    return [Reserve(str(pk), name, held, target or None, due, True)
            for pk, name, held, target, due in rows]


def active_reserves() -> list[Reserve]:
    return _reserves(_fetch(RESERVES_SQL, {}))


OVERRIDES_SQL = """
SELECT key, status, name, cadence, amount, next_date FROM {override} ORDER BY key
"""


def _overrides(rows: list[tuple]) -> list[SeriesOverride]:
    return [SeriesOverride(key, status, name or None, cadence or None, amount, next_date)
            for key, status, name, cadence, amount, next_date in rows]


def series_overrides() -> list[SeriesOverride]:
    return _overrides(_fetch(OVERRIDES_SQL, {}))


# --- everything ------------------------------------------------------------------------------


class PendingStatements:
    """Statements sent to Postgres in one go without waiting (libpq's asynchronous send on
    Django's own connection: same session, schema and transaction). Postgres runs them in order
    and hands each result over as soon as it is done, so Python builds the inputs of the first
    ones while the last ones still run. Nothing else may use the connection until the last
    result is read (`rows()` as many times as there are statements) or `close()` is called."""

    def __init__(self, statements: Sequence[str], params: dict[str, Any]) -> None:
        connection.ensure_connection()
        self._conn = connection.connection
        tables = _tables()
        sql = ";\n".join(stmt.strip().format(**tables) for stmt in statements)
        with ClientCursor(self._conn) as binder:
            self._sql = binder.mogrify(sql, params)
        self._left = len(statements)
        self._started = monotonic()
        self._conn.pgconn.send_query(self._sql.encode(self._conn.info.encoding))

    def rows(self) -> list[tuple]:
        """The next statement's rows (waits until Postgres has finished it)."""
        result = self._conn.pgconn.get_result() if self._left else None
        if result is None or result.status != ExecStatus.TUPLES_OK:
            self.close()
            if result is None:
                raise RuntimeError("no more statements were sent")
            with connection.wrap_database_errors:  # Django's exception classes, as for a cursor
                raise error_from_result(result, encoding=self._conn.info.encoding)
        self._left -= 1
        if not self._left:
            self.close()
        loader = Transformer(self._conn)
        loader.set_pgresult(result)
        return loader.load_rows(0, result.ntuples, tuple)

    def close(self) -> None:
        """Read whatever is left, so the connection is free again (idempotent)."""
        if self._left < 0:
            return
        while self._conn.pgconn.get_result() is not None:
            pass
        self._left = -1
        if connection.queries_logged:  # what CaptureQueriesContext / DEBUG would have seen
            connection.queries_log.append(
                {"sql": self._sql, "time": f"{monotonic() - self._started:.3f}"})


@dataclass
class StartedInputs:
    """Every input but the paid-invoice statistics, which Postgres is still computing."""

    inputs: RunwayInputs
    _pending: PendingStatements

    def finish(self) -> RunwayInputs:
        return replace(self.inputs, paid_stats=_paid_stats(self._pending.rows()))


def runway_inputs_started(*, as_of: date, currency: str = "USD") -> StartedInputs:
    """All inputs of the current business (run inside its schema) but the habit statistics,
    whose statement — by far the slowest (a sort of two years of paid invoices) — is sent last
    and left running: the caller computes burn and recurring series meanwhile, then calls
    `finish()`. Three round trips: the accounts; every other input in one go (read as soon as
    Postgres has finished them all — it flushes small results only at the end); the habit
    statistics, sent before any input object is built so that building them overlaps too."""
    found = bank_accounts(currency=currency)
    params = {"as_of": as_of, **_movement_params(as_of, found.accounts), **_paid_params(as_of),
              "issued_start": as_of - timedelta(days=ISSUED_DAYS)}
    batch = PendingStatements([MOVEMENTS_SQL, OPEN_INVOICES_SQL, OPEN_BILLS_SQL, ISSUED_SQL,
                               RESERVES_SQL, OVERRIDES_SQL], params)
    movements, invoices, bills, issued, reserves, overrides = (batch.rows() for _ in range(6))
    paid = PendingStatements([PAID_STATS_SQL], params)
    try:
        inputs = RunwayInputs(
            accounts=tuple(found.accounts),
            movements=tuple(_movements(movements, found.aliases)),
            open_invoices=tuple(_open_invoices(invoices)),
            open_bills=tuple(_open_bills(bills)),
            issued=tuple(_issued(issued)),
            reserves=tuple(_reserves(reserves)),
            series_overrides=tuple(_overrides(overrides)),
            currency=currency,
        )
    except BaseException:
        paid.close()  # the connection is free again before the error goes on
        raise
    return StartedInputs(inputs, paid)


def runway_inputs(*, as_of: date, currency: str = "USD") -> RunwayInputs:
    """All engine inputs of the current business (run inside its schema): three round trips,
    whatever the size of the books."""
    return runway_inputs_started(as_of=as_of, currency=currency).finish()
