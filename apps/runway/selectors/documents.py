"""Receivables and payables: open invoices and bills, paid-invoice habit statistics, the
trailing 90 days of issued documents."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from apps.runway.engine import (
    CustomerPaidStats,
    IssuedDocument,
    OpenBill,
    OpenInvoice,
    PaidInvoiceStats,
)
from apps.runway.engine.habits import HABIT_LAST_N, HABIT_WINDOW_DAYS
from apps.runway.selectors.base import ISSUED_DAYS, _fetch

# --- receivables and payables ------------------------------------------------------------------

def _open_documents_sql(document: str, party: str, owner_date: str) -> str:
    """Open invoices or bills with their party's name, in ``_open_documents``' column order;
    ``owner_date`` is the owner's date (expected on, scheduled for). Table names stay
    placeholders for ``_fetch``."""
    return f"""
SELECT d.id, d.{party}_qbo_id, COALESCE(p.display_name, ''), d.txn_date, d.due_date,
       d.home_balance, d.home_total, d.{owner_date}, d.currency, d.balance, d.total
FROM {{{document}}} d LEFT JOIN {{{party}}} p ON p.id = d.{party}_id
WHERE NOT d.is_deleted AND d.balance > 0
ORDER BY d.id
"""


OPEN_INVOICES_SQL = _open_documents_sql("invoice", "customer", "expected_date")
OPEN_BILLS_SQL = _open_documents_sql("bill", "vendor", "scheduled_date")


def _open_documents(cls: type, rows: list[tuple], home: str) -> list:
    """Open invoices or bills (rows: pk, party id, name, dates, home balance and total, the
    owner's date, currency, own balance and total). A foreign one goes to the engine in its own
    currency: its open balance is converted at today's rate, not at the document date's rate
    behind `home_balance` (DESIGN §4b)."""
    return [
        cls(str(pk), party, name, txn, due, balance, total, when)
        if currency == home
        else cls(str(pk), party, name, txn, due, own, own_total, when, currency)
        for pk, party, name, txn, due, balance, total, when, currency, own, own_total in rows
    ]


def _open_invoices(rows: list[tuple], home: str) -> list[OpenInvoice]:
    return _open_documents(OpenInvoice, rows, home)


def open_invoices(*, currency: str = "USD") -> list[OpenInvoice]:
    """Open invoices (`Invoice.objects.open()`), id = the pk (what decisions use)."""
    return _open_invoices(_fetch(OPEN_INVOICES_SQL, {}), currency)


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


def _open_bills(rows: list[tuple], home: str) -> list[OpenBill]:
    return _open_documents(OpenBill, rows, home)


def open_bills(*, currency: str = "USD") -> list[OpenBill]:
    """Open bills (`Bill.objects.open()`), id = the pk."""
    return _open_bills(_fetch(OPEN_BILLS_SQL, {}), currency)


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

