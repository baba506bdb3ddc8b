"""The "Apply …" offers of a tray page's credit items — credit memos, overpayments, vendor
credits — read in one query whatever kinds the page holds, so the tray costs the same queries
for every business (DESIGN §8). The per-kind functions (apps.ar.credits.credit_offers,
apps.ar.overpayments.overpayment_offers, apps.ap.vendor_credits.vendor_credit_offers) give the
same offers one kind at a time, two queries each; tests/tray/test_offers.py holds them equal."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, JSONObject

from apps.ap.models import Bill, BillPaymentCreditLine
from apps.ap.vendor_credits import VendorCreditOffer, apply_key, open_credits
from apps.ar.applications import CreditOffer, CreditSource, credit_source_key
from apps.ar.credits import MEMO
from apps.ar.models import Invoice
from apps.ar.overpayments import OVERPAYMENT

VENDOR_CREDIT = "vendor_credit"
KINDS = (MEMO.target_type, OVERPAYMENT.target_type, VENDOR_CREDIT)


def _among(ids: list[int]) -> RawSQL:
    """For `pk__in`: unlike a plain list, an empty one still runs the query (and finds
    nothing), so the page costs the same queries with or without credit items."""
    return RawSQL("SELECT unnest(%s::bigint[])", [ids])


def _as_text(field: str) -> Cast:
    return Cast(field, TextField())  # money through JSON as text: no float on the way


def _doc(queryset) -> Subquery:
    """The first document of `queryset` (correlated), as a JSON object of what the offer's
    form and key need."""
    return Subquery(queryset.values(j=JSONObject(
        pk="pk", doc_number="doc_number", qbo_id="qbo_id", balance=_as_text("balance"),
        sync_token="sync_token", currency="currency"))[:1])


def _customer_credit_rows(source: CreditSource, ids: list[int]):
    """The source's rows with money left, each with its customer's oldest open invoice (the
    one apps.ar.applications.oldest_open_invoices picks)."""
    oldest = (Invoice.objects.open().filter(customer_id=OuterRef("customer_id"))
              .order_by(Coalesce("due_date", "txn_date"), "pk"))
    return source.model.objects.filter(
        pk__in=_among(ids), is_deleted=False, customer_id__isnull=False, **{f"{source.left}__gt": 0}
    ).values(kind=Value(source.target_type), source=F("pk"), token=F("sync_token"),
             left=_as_text(source.left), doc=_doc(oldest))


def _vendor_credit_rows(ids: list[int]):
    """Vendor credits with their unapplied amount (apps.ap.vendor_credits.unapplied) and
    their vendor's next open bill in the same currency (next_bills)."""
    used = (BillPaymentCreditLine.objects
            .filter(vendor_credit=OuterRef("pk"), payment__is_deleted=False)
            .values("vendor_credit").annotate(total=Sum("amount")).values("total"))
    money = DecimalField(max_digits=20, decimal_places=2)
    left = Coalesce("balance", F("total") - Coalesce(Subquery(used), Value(Decimal("0"))),
                    output_field=money)
    following = (Bill.objects.open()
                 .filter(vendor_id=OuterRef("vendor_id"), currency=OuterRef("currency"))
                 .order_by(Coalesce("scheduled_date", "due_date", "txn_date"), "pk"))
    return open_credits().filter(pk__in=_among(ids), vendor_id__isnull=False).values(
        kind=Value(VENDOR_CREDIT), source=F("pk"), token=F("sync_token"),
        left=Cast(left, TextField()), doc=_doc(following))


def _document(model, doc: dict) -> Any:
    return model(pk=doc["pk"], doc_number=doc["doc_number"], qbo_id=doc["qbo_id"],
                 balance=Decimal(doc["balance"]), sync_token=doc["sync_token"],
                 currency=doc["currency"])


def _offer(row: dict) -> CreditOffer | VendorCreditOffer | None:
    left = Decimal(row["left"])
    if row["kind"] == VENDOR_CREDIT:
        if left <= 0:
            return None
        bill = _document(Bill, row["doc"])
        credit = SimpleNamespace(pk=row["source"], sync_token=row["token"])
        return VendorCreditOffer(bill, min(left, bill.balance), apply_key(credit, bill, left))
    source = MEMO if row["kind"] == MEMO.target_type else OVERPAYMENT
    invoice = _document(Invoice, row["doc"])
    credit = SimpleNamespace(pk=row["source"], sync_token=row["token"], **{source.left: left})
    return CreditOffer(invoice, min(left, invoice.balance),
                       credit_source_key(source, credit, invoice))


def tray_offers(items: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """{target type: {target id: offer}} for the items' credit memos, payments and vendor
    credits: one query, whichever of them (if any) the items hold."""
    items = list(items)
    ids = {kind: [int(i.target_id) for i in items
                  if i.target_type == kind and str(i.target_id).isdigit()] for kind in KINDS}
    rows = _customer_credit_rows(MEMO, ids[MEMO.target_type]).union(
        _customer_credit_rows(OVERPAYMENT, ids[OVERPAYMENT.target_type]),
        _vendor_credit_rows(ids[VENDOR_CREDIT]), all=True)
    offers: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for row in rows:
        offer = _offer(row) if row["doc"] is not None else None
        if offer is not None:
            offers[row["kind"]][str(row["source"])] = offer
    return offers
