"""The "Apply …" offers of a tray page's credit items — credit memos, overpayments, vendor
credits — read in one query whatever kinds the page holds, so the tray costs the same queries
for every business (DESIGN §8). The per-kind functions (apps.ar.credits.credit_offers,
apps.ar.overpayments.overpayment_offers, apps.ap.vendor_credits.vendor_credit_offers) give the
same offers one kind at a time, two queries or more each; tests/tray/test_offers.py holds the
two equal.

Plain SQL: the same statement built with the ORM (three subquery-annotated querysets in a
union) cost ~12 ms of Python to build and compile on every cold tray render; this runs in
well under a millisecond. ``= ANY(array)`` runs, and finds nothing, when there are no ids."""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from django.db import connection

from apps.ap.models import Bill
from apps.ap.vendor_credits import VendorCreditOffer, apply_key
from apps.ar.applications import CreditOffer, credit_source_key
from apps.ar.credits import MEMO
from apps.ar.models import Invoice
from apps.ar.overpayments import OVERPAYMENT

VENDOR_CREDIT = "vendor_credit"
KINDS = (MEMO.target_type, OVERPAYMENT.target_type, VENDOR_CREDIT)
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


def _offer(kind: str, pk: int, token: str, left, doc: tuple) -> CreditOffer | VendorCreditOffer:
    fields = dict(zip(DOC_COLUMNS, doc, strict=True))
    if kind == VENDOR_CREDIT:
        bill = Bill(**fields)
        credit = SimpleNamespace(pk=pk, sync_token=token)
        return VendorCreditOffer(bill, min(left, bill.balance), apply_key(credit, bill, left))
    source = MEMO if kind == MEMO.target_type else OVERPAYMENT
    invoice = Invoice(**fields)
    credit = SimpleNamespace(pk=pk, sync_token=token, **{source.left: left})
    return CreditOffer(invoice, min(left, invoice.balance),
                       credit_source_key(source, credit, invoice))


def tray_offers(items: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """{target type: {target id: offer}} for the items' credit memos, payments and vendor
    credits: one query, whichever of them (if any) the items hold."""
    items = list(items)
    ids = {kind: [int(i.target_id) for i in items
                  if i.target_type == kind and str(i.target_id).isdigit()] for kind in KINDS}
    with connection.cursor() as cursor:
        cursor.execute(_OFFERS_SQL, {"memos": ids[MEMO.target_type],
                                     "payments": ids[OVERPAYMENT.target_type],
                                     "vendor_credits": ids[VENDOR_CREDIT]})
        rows = cursor.fetchall()
    offers: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for kind, pk, token, left, *doc in rows:
        if left > 0:
            offers[kind][str(pk)] = _offer(kind, pk, token, left, tuple(doc))
    return offers
