"""tray_generate's cost does not grow with the books: constant queries, bounded candidates."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.ap.models import Bill
from apps.ap.tray_causes import BILL_ITEMS_MAX
from apps.ar.tray_causes import INVOICE_ITEMS_MAX
from apps.tray.models import TrayItem
from apps.tray.services import tray_generate
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _queries(business) -> int:
    with CaptureQueriesContext(connection) as ctx:
        tray_generate(business)
    return len(ctx.captured_queries)


def _add_causes(business, n: int, start: int) -> None:
    """n more of every kind of cause: bills due soon, overdue invoices, credits."""
    with in_tenant(business):
        today = f.today_of(business)
        for i in range(start, start + n):
            v = f.vendor(f"Vendor {i}")
            f.bill(v, "100.00", today + timedelta(days=i % 15 - 5), status=Bill.Status.APPROVED)
            c = f.customer(f"Customer {i}")
            f.invoice(c, f"{200 + i}.00", today - timedelta(days=i % 40 + 1))
            f.credit_memo(c, "15.00")


def test_query_count_is_constant_as_causes_grow(tenant_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        f.burn(f.account(balance="90000.00"), "9000.00", today)
        f.reserve(target="5000.00", held="1000.00")
    _add_causes(tenant_a, 3, 0)
    tray_generate(tenant_a)  # first run creates items and caches the runway
    small = _queries(tenant_a)
    _add_causes(tenant_a, 130, 3)
    tray_generate(tenant_a)
    large = _queries(tenant_a)
    assert large == small
    with in_tenant(tenant_a):
        open_items = TrayItem.objects.filter(status=TrayItem.Status.OPEN)
        # Candidate sets are bounded: the tray stays a list a person can read.
        assert open_items.filter(kind="invoice_chase").count() == INVOICE_ITEMS_MAX
        bills = open_items.filter(target_type="bill").count()
        assert bills == BILL_ITEMS_MAX
        # The most overdue bills are the ones kept.
        kept = set(open_items.filter(target_type="bill").values_list("target_id", flat=True))
        most_overdue = Bill.objects.open().order_by("due_date", "pk")[:BILL_ITEMS_MAX]
        assert kept == {str(b.pk) for b in most_overdue}


def _feed_txns(business, n: int, start: int):
    from decimal import Decimal

    from apps.bank.models import BankTransaction, FeedAccount
    from tests.factories import FeedAccountFactory

    with in_tenant(business):
        today = f.today_of(business)
        feed = FeedAccount.objects.filter(plaid_account_id="pa-1").first()
        if feed is None:
            feed = FeedAccountFactory(item_id="item-1", plaid_account_id="pa-1", name="Checking",
                                      mask="0001", linked_account=f.account(),
                                      link_confirmed=True)
        BankTransaction.objects.bulk_create(
            BankTransaction(
                feed_account=feed, transaction_id=f"tx-{i}",
                date=today - timedelta(days=5 + i % 80),
                amount=Decimal(f"{(i * 37) % 900 + 10}.{i % 100:02d}"), name=f"Card {i}",
            )
            for i in range(start, start + n)
        )


def test_unmatched_bank_transactions_are_bounded_in_sql(tenant_a):
    from apps.bank.models import BankTransaction
    from apps.bank.selectors import UNMATCHED_ITEMS_MAX, UNMATCHED_LOOKBACK_DAYS

    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
    _feed_txns(tenant_a, 5, 0)
    tray_generate(tenant_a)
    small = _queries(tenant_a)
    _feed_txns(tenant_a, 200, 5)
    tray_generate(tenant_a)
    assert _queries(tenant_a) == small
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        shown = set(
            TrayItem.objects.filter(kind="bank_unmatched", status="open")
            .values_list("target_id", flat=True)
        )
        recent = BankTransaction.objects.filter(
            date__gte=today - timedelta(days=UNMATCHED_LOOKBACK_DAYS)
        )
        largest = sorted(recent, key=lambda t: (-abs(t.amount), t.date, t.pk))
        assert shown == {str(t.pk) for t in largest[:UNMATCHED_ITEMS_MAX]}
