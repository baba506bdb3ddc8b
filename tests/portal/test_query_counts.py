"""Queries per page do not depend on the data (DESIGN §8, tests/bench/bench_pages.py): a
business with a few tray items of one kind and home-currency invoices costs the same number of
queries per page, cold and warm, as one with many items of every kind, credits of each sort to
apply and foreign invoices to convert at today's rate."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.core.services.data_version import pages_changed
from apps.lifecycle.services import business_delete
from apps.tray.models import TrayItem
from apps.tray.services import tray_generate
from tests import factories as fx
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db

PAGES = ["/", "/tray/", "/bills/", "/invoices/", "/invoices/?tab=all",
         "/bills/?status=new&due=14"]


def _small(business) -> None:
    """Two bills to pay, one to approve, and one overdue invoice, all in the home currency (every
    list shows a row: an empty page skips its rows' query, whatever the books)."""
    with in_tenant(business):
        f.fresh_runway(business)
        today = f.today_of(business)
        f.burn(f.account(balance="90000.00"), "9000.00", today)
        v = f.vendor("Rent Co")
        for days in (3, 6):
            f.bill(v, "1000.00", today + timedelta(days=days), status=Bill.Status.APPROVED)
        f.bill(v, "500.00", today + timedelta(days=10))  # new
        f.invoice(f.customer("Bolt Studio"), "3000.00", today - timedelta(days=20))
    tray_generate(business)


def _large(business) -> None:
    """Many of every cause: bills to approve and pay, overdue invoices (some in euros), credit
    memos, overpayments and vendor credits (with and without QBO's Balance), a reserve."""
    with in_tenant(business):
        f.fresh_runway(business)
        today = f.today_of(business)
        f.burn(f.account(balance="90000.00"), "9000.00", today)
        f.reserve(target="50000.00", held="1000.00")
        fx.ExchangeRateFactory(source_currency="EUR", target_currency="USD",
                               as_of=today - timedelta(days=2), rate=Decimal("1.0800"))
        for i in range(12):
            v = f.vendor(f"Vendor {i}")
            status = Bill.Status.NEW if i % 2 else Bill.Status.APPROVED
            fx.BillFactory(vendor=v, total=Decimal(f"{300 + i}.00"),
                           balance=Decimal(f"{300 + i}.00"), status=status,
                           currency="EUR" if i % 4 == 1 else "USD",
                           due_date=today + timedelta(days=i % 10 - 3))
            fx.VendorCreditFactory(vendor=v, total=Decimal("40.00"),
                                   balance=None if i % 3 == 0 else Decimal("40.00"))
            c = f.customer(f"Customer {i}", email=f"ap{i}@example.test")
            currency = "EUR" if i % 2 else "USD"
            fx.InvoiceFactory(customer=c, total=Decimal(f"{900 + i}.00"),
                              balance=Decimal(f"{900 + i}.00"), currency=currency,
                              due_date=today - timedelta(days=i + 5))
            f.credit_memo(c, "25.00")
            fx.PaymentFactory(customer=c, total=Decimal("60.00"),
                              unapplied_amount=Decimal("60.00"))
    tray_generate(business)


@pytest.fixture
def small_and_large(db):
    """Two businesses of this test's own, deleted at the end (their schemas are not the
    suite's shared ones)."""
    tag = uuid.uuid4().hex[:6]
    pair = (fx.BusinessFactory(slug=f"qsmall{tag}"), fx.BusinessFactory(slug=f"qlarge{tag}"))
    owners = [make_member(b, Role.OWNER, email=f"owner@{b.slug}.test") for b in pair]
    yield pair, owners
    for business, owner in zip(pair, owners, strict=True):
        business_delete(actor=owner, business=business, confirm=business.slug)


def _counts(business, owner) -> dict[str, tuple[int, int]]:
    """{url: (cold, warm)} as bench_pages counts them: after one cold render that fills the
    process's caches, `SET search_path` switches not counted."""
    client = client_for(business, owner)
    counts = {}
    for url in PAGES:
        assert client.get(url).status_code == 200, url  # computes and caches the runway
        pages_changed(business)
        assert client.get(url).status_code == 200, url
        pages_changed(business)
        connection.set_schema_to_public()
        both = []
        for _ in ("cold", "warm"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            both.append(sum(not q["sql"].startswith("SET search_path")
                            for q in ctx.captured_queries))
            connection.set_schema_to_public()
        counts[url] = tuple(both)
    return counts


def test_each_page_costs_the_same_queries_whatever_the_books(small_and_large):
    (small, large), (small_owner, large_owner) = small_and_large
    _small(small)
    _large(large)
    with in_tenant(small):
        targets = set(TrayItem.objects.filter(status="open").values_list("target_type",
                                                                         flat=True))
        assert targets == {"bill", "invoice"}  # no credits, nothing foreign
    with in_tenant(large):
        targets = set(TrayItem.objects.filter(status="open").values_list("target_type",
                                                                         flat=True))
        assert {"credit_memo", "payment", "vendor_credit", "bill", "invoice"} <= targets
    assert _counts(small, small_owner) == _counts(large, large_owner)
