"""The tray page's one-query offers (apps/tray/offers.py) are the per-kind offers of
apps.ar.credits, apps.ar.overpayments and apps.ap.vendor_credits."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ap.vendor_credits import vendor_credit_offers
from apps.ar.credits import credit_offers
from apps.ar.overpayments import overpayment_offers
from apps.tray.offers import tray_offers
from tests import factories as fx
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _item(kind: str, pk) -> SimpleNamespace:
    return SimpleNamespace(target_type=kind, target_id=str(pk))


def _same(mine: dict, theirs: dict) -> None:
    assert mine.keys() == theirs.keys()
    for pk, offer in theirs.items():
        doc = getattr(offer, "invoice", None) or offer.bill
        got = mine[pk]
        got_doc = getattr(got, "invoice", None) or got.bill
        assert (got.amount, got.key) == (offer.amount, offer.key)
        assert ((got_doc.pk, got_doc.doc_number, got_doc.qbo_id, got_doc.currency)
                == (doc.pk, doc.doc_number, doc.qbo_id, doc.currency))


def test_one_query_gives_every_kinds_offers(tenant_a):
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        c, lone = f.customer("Bolt"), f.customer("No invoices")
        f.invoice(c, "500.00", today - timedelta(days=3), doc="INV-2")
        f.invoice(c, "800.00", today - timedelta(days=9), doc="INV-1")  # the oldest: offered
        memos = [f.credit_memo(c, "25.00"), f.credit_memo(lone, "10.00")]
        pays = [fx.PaymentFactory(customer=c, unapplied_amount=Decimal("60.00"))]
        v = f.vendor("Rent Co")
        f.bill(v, "300.00", today + timedelta(days=4), doc="B-1")
        used = fx.VendorCreditFactory(vendor=v, total=Decimal("90.00"), balance=None)
        fx.BillPaymentCreditLineFactory(vendor_credit=used, amount=Decimal("30.00"))
        credits = [used, fx.VendorCreditFactory(vendor=v, balance=Decimal("40.00"))]
        items = ([_item("credit_memo", m.pk) for m in memos]
                 + [_item("payment", p.pk) for p in pays]
                 + [_item("vendor_credit", c.pk) for c in credits] + [_item("bill", 1)])
        with CaptureQueriesContext(connection) as ctx:
            offers = tray_offers(items)
        assert len(ctx.captured_queries) == 1
        _same(offers["credit_memo"], credit_offers(m.pk for m in memos))
        _same(offers["payment"], overpayment_offers(p.pk for p in pays))
        _same(offers["vendor_credit"], vendor_credit_offers(c.pk for c in credits))
        assert len(offers["credit_memo"]) == 1 and len(offers["vendor_credit"]) == 2
        assert offers["vendor_credit"][str(used.pk)].amount == Decimal("60.00")
        with CaptureQueriesContext(connection) as ctx:
            assert tray_offers([_item("bill", 1)]) == {
                "credit_memo": {}, "payment": {}, "vendor_credit": {}}
        assert len(ctx.captured_queries) == 1
