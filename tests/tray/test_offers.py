"""The tray page's one-query offers (apps/tray/offers.py): each credit goes to its customer's
oldest open invoice or its vendor's next bill, for as much as both allow, with the form key of
its adapter (apps.ar.credits.MEMO, apps.ar.overpayments.OVERPAYMENT,
apps.ap.vendor_credits.VENDOR_CREDIT)."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ap.vendor_credits import VENDOR_CREDIT
from apps.ar.credits import MEMO
from apps.ar.overpayments import OVERPAYMENT
from apps.tray.offers import tray_offers
from tests import factories as fx
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _item(kind: str, pk) -> SimpleNamespace:
    return SimpleNamespace(target_type=kind, target_id=str(pk))


def _offered(offers: dict, source, row, doc, amount: str) -> None:
    """The row's offer goes to ``doc`` for ``amount``, keyed as the adapter keys that form."""
    got = offers[str(row.pk)]
    got_doc = got.document
    assert (got.amount, got.key) == (Decimal(amount), source.key(row, doc))
    assert ((got_doc.pk, got_doc.doc_number, got_doc.qbo_id, got_doc.currency)
            == (doc.pk, doc.doc_number, doc.qbo_id, doc.currency))


def test_one_query_gives_every_kinds_offers(tenant_a):
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        c, lone = f.customer("Bolt"), f.customer("No invoices")
        f.invoice(c, "500.00", today - timedelta(days=3), doc="INV-2")
        oldest = f.invoice(c, "800.00", today - timedelta(days=9), doc="INV-1")  # offered
        memos = [f.credit_memo(c, "25.00"), f.credit_memo(lone, "10.00")]
        pays = [fx.PaymentFactory(customer=c, unapplied_amount=Decimal("60.00"))]
        v = f.vendor("Rent Co")
        bill = f.bill(v, "300.00", today + timedelta(days=4), doc="B-1")
        used = fx.VendorCreditFactory(vendor=v, total=Decimal("90.00"), balance=None)
        fx.BillPaymentCreditLineFactory(vendor_credit=used, amount=Decimal("30.00"))
        credits = [used, fx.VendorCreditFactory(vendor=v, balance=Decimal("40.00"))]
        items = ([_item("credit_memo", m.pk) for m in memos]
                 + [_item("payment", p.pk) for p in pays]
                 + [_item("vendor_credit", c.pk) for c in credits] + [_item("bill", 1)])
        with CaptureQueriesContext(connection) as ctx:
            offers = tray_offers(items)
        assert len(ctx.captured_queries) == 1
        assert offers["credit_memo"].keys() == {str(memos[0].pk)}  # the lone memo: no invoice
        _offered(offers["credit_memo"], MEMO, memos[0], oldest, "25.00")
        assert offers["payment"].keys() == {str(pays[0].pk)}
        _offered(offers["payment"], OVERPAYMENT, pays[0], oldest, "60.00")
        assert offers["vendor_credit"].keys() == {str(c.pk) for c in credits}
        _offered(offers["vendor_credit"], VENDOR_CREDIT, used, bill, "60.00")  # 90 less 30 used
        _offered(offers["vendor_credit"], VENDOR_CREDIT, credits[1], bill, "40.00")
        with CaptureQueriesContext(connection) as ctx:
            assert tray_offers([_item("bill", 1)]) == {
                "credit_memo": {}, "payment": {}, "vendor_credit": {}}
        assert len(ctx.captured_queries) == 1
