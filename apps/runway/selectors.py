"""Books → engine inputs. One query per input kind, rows streamed with `.values_list()`; the
number of queries never depends on the amount of data (tests/runway/test_selectors_queries.py).

Account keys: a QBO account is `qbo:<QBO id>`, a bank-feed account `feed:<pk>`. A feed account
whose link to a QBO account is confirmed shares that account's identity (`linked_key`), so the
real account counts once; a feed account without a confirmed link is shown but not counted
(counting it next to its unlinked QBO copy would count the money twice).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection

from apps.ap.models import Bill, BillPayment, Vendor
from apps.ar.models import Customer, Invoice
from apps.bank.models import Account, BankTransaction, FeedAccount, Purchase, Transfer
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


def qbo_key(qbo_id: str) -> str:
    return f"qbo:{qbo_id}"


def feed_key(pk: int) -> str:
    return f"feed:{pk}"


def _stream(queryset) -> Iterator[tuple]:
    # Plain tuples from one client-side cursor: no model instances, one round trip per query.
    # (Server-side `.iterator()` cursors cost three round trips per query, which dominated small
    # businesses; the largest input, ~100k feed rows of tuples, fits in memory.)
    return iter(queryset)


def _fresh(stamp: datetime | None) -> datetime:
    return stamp or datetime.combine(date(1970, 1, 1), time.min, tzinfo=UTC)


# --- cash ---------------------------------------------------------------------------------


def account_balances() -> list[BankAccountBalance]:
    """QBO bank and card accounts (one query)."""
    rows = (
        Account.objects.filter(
            is_deleted=False, active=True, account_type__in=list(QBO_KINDS)
        ).values_list("qbo_id", "name", "account_type", "current_balance", "included_in_runway",
                      "synced_at")
    )
    return [
        BankAccountBalance(
            account_key=qbo_key(qbo_id),
            name=name,
            balance=balance,
            fresh_at=_fresh(synced_at),
            source="qbo",
            kind=QBO_KINDS[kind],
            included=included,
        )
        for qbo_id, name, kind, balance, included, synced_at in _stream(rows)
    ]


def feed_balances() -> list[BankAccountBalance]:
    """Bank-feed (Plaid) accounts (one query, the linked QBO id joined in)."""
    rows = FeedAccount.objects.filter(removed=False, type__in=list(FEED_KINDS)).values_list(
        "pk", "name", "mask", "type", "current_balance", "balance_at", "link_confirmed",
        "linked_account__qbo_id", "linked_account__included_in_runway",
    )
    found = []
    for pk, name, mask, kind, balance, balance_at, confirmed, linked_qbo_id, linked_in in _stream(
        rows
    ):
        linked = confirmed and linked_qbo_id is not None
        found.append(
            BankAccountBalance(
                account_key=feed_key(pk),
                name=f"{name} ••{mask}" if mask else name,
                balance=balance if balance is not None else Decimal("0.00"),
                fresh_at=_fresh(balance_at),
                source="bank_feed",
                kind=FEED_KINDS[kind],
                # Unconfirmed feed accounts are not counted; linked ones follow the QBO choice.
                included=bool(linked and linked_in),
                linked_key=qbo_key(linked_qbo_id) if linked else None,
            )
        )
    return found


# --- movements ---------------------------------------------------------------------------------
# One query. Plain outflows (bill payments, purchases, non-transfer feed rows) are summed in SQL
# per (day, account, source, kind, counterparty, counterparty id), only on the accounts whose burn
# they feed (included, and the account's burn source: the feed if it has one, else QBO), only
# money out, only the engine's history window. Everything the engine would drop is dropped, and
# what it keeps it only ever sums per day and series key (burn total; recurring detection merges
# same-day payments) — so the figures are those of the row-level input (tests/runway/
# test_selectors_fast_path.py compares both). Transfers stay one row per leg: their pairing is
# per transaction. Rows come in the row-level loader's order (source, then the first id), which
# keeps "first name seen" of a series identical.

MOVEMENTS_SQL = """
WITH plain AS (
  SELECT 0 AS src, bp.id AS row_id, bp.txn_date AS day, 'qbo:' || bp.account_qbo_id AS account,
         'qbo' AS source, 'bill_payment' AS kind, COALESCE(v.display_name, '') AS who,
         bp.vendor_qbo_id AS who_id, bp.home_total AS amount
  FROM {billpayment} bp LEFT JOIN {vendor} v ON v.id = bp.vendor_id
  WHERE NOT bp.is_deleted AND bp.txn_date >= %(start)s AND bp.txn_date < %(as_of)s
    AND bp.account_qbo_id = ANY(%(qbo_accounts)s::text[]) AND bp.home_total > 0
  UNION ALL
  SELECT 1, p.id, p.txn_date, 'qbo:' || p.account_qbo_id, 'qbo', 'purchase', p.counterparty,
         p.counterparty_qbo_id, CASE WHEN p.is_credit THEN -p.home_total ELSE p.home_total END
  FROM {purchase} p
  WHERE NOT p.is_deleted AND p.txn_date >= %(start)s AND p.txn_date < %(as_of)s
    AND p.account_qbo_id = ANY(%(qbo_accounts)s::text[])
    AND CASE WHEN p.is_credit THEN -p.home_total ELSE p.home_total END > 0
  UNION ALL
  SELECT 3, t.id, t.date, 'feed:' || t.feed_account_id, 'bank_feed',
         CASE WHEN strpos(lower(t.category), 'payroll') > 0 THEN 'payroll' ELSE 'other' END,
         COALESCE(NULLIF(t.merchant_name, ''), NULLIF(t.counterparty, ''), t.name), '', t.amount
  FROM {banktransaction} t
  WHERE NOT t.pending AND NOT t.is_transfer AND t.amount > 0
    AND t.date >= %(start)s AND t.date < %(as_of)s
    AND t.feed_account_id = ANY(%(feed_accounts)s::bigint[])
)
SELECT day, SUM(amount), account, source, kind, who, who_id, NULL AS dest, MIN(src), MIN(row_id), 0
FROM plain GROUP BY day, account, source, kind, who, who_id
UNION ALL
SELECT t.txn_date, t.amount, 'qbo:' || t.from_account_qbo_id, 'qbo', 'transfer',
       CASE WHEN COALESCE(a.name, '') <> '' THEN 'Transfer to ' || a.name ELSE '' END, '',
       CASE WHEN t.to_account_qbo_id <> '' THEN 'qbo:' || t.to_account_qbo_id END, 2, t.id, 0
FROM {transfer} t LEFT JOIN {account} a ON a.id = t.to_account_id
WHERE NOT t.is_deleted AND t.from_account_qbo_id <> ''
  AND t.txn_date >= %(pad_start)s AND t.txn_date < %(pad_end)s
UNION ALL
SELECT t.txn_date, -t.amount, 'qbo:' || t.to_account_qbo_id, 'qbo', 'transfer', '', '', NULL, 2,
       t.id, 1
FROM {transfer} t
WHERE NOT t.is_deleted AND t.to_account_qbo_id <> ''
  AND t.txn_date >= %(pad_start)s AND t.txn_date < %(pad_end)s
UNION ALL
SELECT t.date, t.amount, 'feed:' || t.feed_account_id, 'bank_feed', 'transfer',
       COALESCE(NULLIF(t.merchant_name, ''), NULLIF(t.counterparty, ''), t.name), '', NULL, 3,
       t.id, 0
FROM {banktransaction} t
WHERE t.is_transfer AND NOT t.pending AND t.feed_account_id = ANY(%(all_feeds)s::bigint[])
  AND t.date >= %(pad_start)s AND t.date < %(pad_end)s
ORDER BY 9, 10, 11
"""


def _tables() -> dict[str, str]:
    return {
        "billpayment": BillPayment._meta.db_table,
        "vendor": Vendor._meta.db_table,
        "purchase": Purchase._meta.db_table,
        "banktransaction": BankTransaction._meta.db_table,
        "transfer": Transfer._meta.db_table,
        "account": Account._meta.db_table,
        "customer": Customer._meta.db_table,
        "invoice": Invoice._meta.db_table,
        "bill": Bill._meta.db_table,
    }


def burn_accounts(accounts: list[BankAccountBalance]) -> tuple[list[str], list[int]]:
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


def cash_movements(as_of: date, accounts: list[BankAccountBalance]) -> list[CashMovement]:
    """Burn-relevant money movements, pre-aggregated (see MOVEMENTS_SQL), in one query."""
    qbo_ids, feed_pks = burn_accounts(accounts)
    all_feeds = [int(a.account_key.removeprefix("feed:")) for a in accounts
                 if a.source == "bank_feed"]
    pad = timedelta(days=TRANSFER_PAIRING_DAYS)
    start = as_of - timedelta(days=HISTORY_WINDOW_DAYS)
    params = {
        "as_of": as_of, "start": start, "pad_start": start - pad, "pad_end": as_of + pad,
        "qbo_accounts": qbo_ids, "feed_accounts": feed_pks, "all_feeds": all_feeds,
    }
    with connection.cursor() as cur:
        cur.execute(MOVEMENTS_SQL.format(**_tables()), params)
        rows = cur.fetchall()
    return [
        CashMovement(day, amount, account, source, kind, who or "", who_id or None, dest)
        for day, amount, account, source, kind, who, who_id, dest, _src, _id, _leg in rows
    ]


# --- receivables and payables ------------------------------------------------------------------


def open_invoices() -> list[OpenInvoice]:
    rows = Invoice.objects.open().values_list(
        "pk", "customer_qbo_id", "customer__display_name", "txn_date", "due_date",
        "home_balance", "home_total", "expected_date",
    )
    return [
        OpenInvoice(str(pk), cid, name or "", txn, due, balance, total, expected)
        for pk, cid, name, txn, due, balance, total, expected in _stream(rows)
    ]


# Per customer: its last 12 fully paid invoices of the window (paid date, then the id as text —
# the engine's tie-break — descending) reduced to sums, the name joined on the ~hundreds of result
# rows only; plus one row (first column TRUE) with the business-wide two middle values of days
# late / days to pay over every paid invoice of the window (percentile_disc: the lower middle
# ascending, the upper one descending; equal for an odd count). Byte-order ("C") collation:
# grouping by the id needs equality only, and it sorts several times faster than a locale.
PAID_STATS_SQL = """
WITH paid AS (
  SELECT i.customer_qbo_id COLLATE "C" AS cid, i.customer_id AS cust,
         i.paid_date - i.txn_date AS to_pay,
         i.paid_date - COALESCE(i.due_date, i.txn_date) AS late,
         row_number() OVER (PARTITION BY i.customer_qbo_id COLLATE "C"
                            ORDER BY i.paid_date DESC, CAST(i.id AS text) COLLATE "C" DESC) AS rn
  FROM {invoice} i
  WHERE NOT i.is_deleted AND i.balance = 0 AND i.paid_date >= %(start)s AND i.paid_date < %(as_of)s
), per AS (
  SELECT cid, MIN(cust) FILTER (WHERE rn = 1) AS cust,
         COUNT(*) FILTER (WHERE rn <= %(last_n)s) AS n,
         SUM(to_pay) FILTER (WHERE rn <= %(last_n)s) AS to_pay,
         SUM(late) FILTER (WHERE rn <= %(last_n)s) AS late
  FROM paid GROUP BY cid
)
SELECT FALSE, per.cid, COALESCE(c.display_name, ''), per.n, per.to_pay, per.late,
       NULL::bigint, NULL::integer, NULL::integer, NULL::integer, NULL::integer
FROM per LEFT JOIN {customer} c ON c.id = per.cust
UNION ALL
SELECT TRUE, NULL, NULL, NULL, NULL, NULL, COUNT(*),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY late),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY late DESC),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY to_pay),
       percentile_disc(0.5) WITHIN GROUP (ORDER BY to_pay DESC)
FROM paid
"""


def paid_invoice_stats(as_of: date) -> PaidInvoiceStats:
    """Fully paid invoices of the habit window (2 years) reduced to habit statistics, one query."""
    params = {"as_of": as_of, "start": as_of - timedelta(days=HABIT_WINDOW_DAYS),
              "last_n": HABIT_LAST_N}
    with connection.cursor() as cur:
        cur.execute(PAID_STATS_SQL.format(**_tables()), params)
        rows = cur.fetchall()
    (*_, n, late_lo, late_hi, pay_lo, pay_hi), = (row for row in rows if row[0])
    return PaidInvoiceStats(
        customers=tuple(
            CustomerPaidStats(cid, name, count, int(to_pay), int(late))
            for is_total, cid, name, count, to_pay, late, *_ in rows
            if not is_total
        ),
        paid_in_window=n,
        days_late_middle=(late_lo, late_hi) if n else None,
        days_to_pay_middle=(pay_lo, pay_hi) if n else None,
    )


def open_bills() -> list[OpenBill]:
    rows = Bill.objects.open().values_list(
        "pk", "vendor_qbo_id", "vendor__display_name", "txn_date", "due_date", "home_balance",
        "home_total", "scheduled_date",
    )
    return [
        OpenBill(str(pk), vid, name or "", txn, due, balance, total, scheduled)
        for pk, vid, name, txn, due, balance, total, scheduled in _stream(rows)
    ]


ISSUED_SQL = """
SELECT 'invoice', txn_date, SUM(home_total) FROM {invoice}
WHERE NOT is_deleted AND txn_date >= %(start)s AND txn_date < %(as_of)s GROUP BY txn_date
UNION ALL
SELECT 'bill', txn_date, SUM(home_total) FROM {bill}
WHERE NOT is_deleted AND txn_date >= %(start)s AND txn_date < %(as_of)s GROUP BY txn_date
"""


def issued_documents(as_of: date) -> list[IssuedDocument]:
    """Invoices and bills (live, any state) dated in the trailing 90 days, summed per kind and
    day — DSO/DPO only ever use their sums. One query."""
    params = {"as_of": as_of, "start": as_of - timedelta(days=ISSUED_DAYS)}
    with connection.cursor() as cur:
        cur.execute(ISSUED_SQL.format(**_tables()), params)
        return [IssuedDocument(kind, day, total) for kind, day, total in cur.fetchall()]


# --- reserves and the owner's overrides ---------------------------------------------------------


def active_reserves() -> list[Reserve]:
    rows = ReserveRow.objects.filter(active=True).values_list(
        "pk", "name", "held", "target", "due_date"
    )
    return [
        Reserve(str(pk), name, held, target or None, due, True)
        for pk, name, held, target, due in rows
    ]


def series_overrides() -> list[SeriesOverride]:
    rows = RecurringSeriesOverride.objects.values_list(
        "key", "status", "name", "cadence", "amount", "next_date"
    )
    return [
        SeriesOverride(key, status, name or None, cadence or None, amount, next_date)
        for key, status, name, cadence, amount, next_date in rows
    ]


# --- everything ------------------------------------------------------------------------------


def runway_inputs(*, as_of: date, currency: str = "USD") -> RunwayInputs:
    """All engine inputs of the current business (run inside its schema): 9 queries."""
    accounts = account_balances() + feed_balances()
    return RunwayInputs(
        accounts=tuple(accounts),
        movements=tuple(cash_movements(as_of, accounts)),
        open_invoices=tuple(open_invoices()),
        paid_stats=paid_invoice_stats(as_of),
        open_bills=tuple(open_bills()),
        issued=tuple(issued_documents(as_of)),
        reserves=tuple(active_reserves()),
        series_overrides=tuple(series_overrides()),
        currency=currency,
    )
