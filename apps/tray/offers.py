"""The "Apply …" offers of a tray page's credit items — credit memos, overpayments, vendor
credits — read in one query whatever kinds the page holds, so the tray costs the same queries
for every business (DESIGN §8). This is the one place the rule "which invoice or bill an
offer goes to" is written for offers; the tray items' own words use the same rule in the ORM
(apps.ar.applications.oldest_open_invoices, apps.ap.vendor_credits.next_bills).

Plain SQL: the same statement built with the ORM (three subquery-annotated querysets in a
union) cost ~12 ms of Python to build and compile on every cold tray render; this runs in
well under a millisecond. ``= ANY(array)`` runs, and finds nothing, when there are no ids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection

from apps.ap.vendor_credits import VENDOR_CREDIT
from apps.ar.credits import MEMO
from apps.ar.overpayments import OVERPAYMENT
from apps.ledger.credit_sources import CreditOffer

# The credit sources (apps/ledger/credit_sources.py) by target type.
SOURCES = {source.target_type: source for source in (MEMO, OVERPAYMENT, VENDOR_CREDIT)}
KINDS = tuple(SOURCES)
DOC_COLUMNS = ("pk", "doc_number", "qbo_id", "balance", "sync_token", "currency")

# The customer's open invoice with the oldest due date (apps.ar.applications
# .oldest_open_invoices), for a credit row `s`.
_OLDEST_INVOICE = """CROSS JOIN LATERAL (
    SELECT i.id, i.doc_number, i.qbo_id, i.balance, i.sync_token, i.currency
    FROM ar_invoice i
    WHERE i.customer_id = s.customer_id AND NOT i.is_deleted AND i.balance > 0
    ORDER BY COALESCE(i.due_date, i.txn_date), i.id LIMIT 1) d"""

_OFFERS_SQL = f"""
SELECT 'credit_memo', s.id, s.sync_token, s.balance, d.*
FROM ar_creditmemo s {_OLDEST_INVOICE}
WHERE s.id = ANY(%(memos)s::bigint[]) AND NOT s.is_deleted AND s.balance > 0
UNION ALL
SELECT 'payment', s.id, s.sync_token, s.unapplied_amount, d.*
FROM ar_payment s {_OLDEST_INVOICE}
WHERE s.id = ANY(%(payments)s::bigint[]) AND NOT s.is_deleted AND s.unapplied_amount > 0
UNION ALL
-- Unapplied: QBO's Balance, else TotalAmt less live bill payments' credit lines
-- (apps.ap.vendor_credits.unapplied); offered on the vendor's open bill in the credit's
-- currency with the earliest forecast date (next_bills).
SELECT 'vendor_credit', s.id, s.sync_token,
       COALESCE(s.balance, s.total - COALESCE((
           SELECT SUM(l.amount) FROM ap_billpaymentcreditline l
           JOIN ap_billpayment p ON p.id = l.payment_id
           WHERE l.vendor_credit_id = s.id AND NOT p.is_deleted), 0)),
       d.*
FROM ap_vendorcredit s CROSS JOIN LATERAL (
    SELECT b.id, b.doc_number, b.qbo_id, b.balance, b.sync_token, b.currency
    FROM ap_bill b
    WHERE b.vendor_id = s.vendor_id AND b.currency = s.currency AND NOT b.is_deleted
      AND b.balance > 0
    ORDER BY COALESCE(b.scheduled_date, b.due_date, b.txn_date), b.id LIMIT 1) d
WHERE s.id = ANY(%(vendor_credits)s::bigint[]) AND NOT s.is_deleted
  AND (s.balance > 0 OR s.balance IS NULL)
"""


def _offer(kind: str, pk: int, token: str, left, doc: tuple) -> Any:
    source = SOURCES[kind]
    document = source.document(**dict(zip(DOC_COLUMNS, doc, strict=True)))
    return CreditOffer(document, min(left, document.balance),
                       source.key_for(pk, token, left, document))


def tray_offers(items: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """{target type: {target id: offer}} for the items' credit memos, payments and vendor
    credits: one query, whichever of them (if any) the items hold."""
    items = list(items)
    return credit_offers({kind: [i.target_id for i in items if i.target_type == kind]
                          for kind in KINDS})


def credit_offers(ids: Mapping[str, Iterable[Any]]) -> dict[str, dict[str, Any]]:
    """{target type: {id as a string: offer}} for ``ids`` {target type: row ids}: one query."""
    wanted = {kind: [int(i) for i in ids.get(kind, ()) if str(i).isdigit()] for kind in KINDS}
    with connection.cursor() as cursor:
        cursor.execute(_OFFERS_SQL, {"memos": wanted[MEMO.target_type],
                                     "payments": wanted[OVERPAYMENT.target_type],
                                     "vendor_credits": wanted[VENDOR_CREDIT.target_type]})
        rows = cursor.fetchall()
    offers: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for kind, pk, token, left, *doc in rows:
        if left > 0:
            offers[kind][str(pk)] = _offer(kind, pk, token, left, tuple(doc))
    return offers
