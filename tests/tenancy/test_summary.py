"""The public summary row of a business: written from its own schema by the listed sources,
after syncs, tray refreshes and digest events; last week's figures kept for the firm digest."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from apps.core.dates import local_today
from apps.runway.services import runway_compute
from apps.tenancy.models import BusinessSummary
from apps.tenancy.summary import summary_refresh
from tests.digest.seed import clear_books, seed_books
from tests.utils import client_for


@pytest.fixture
def books_a(tenant_a):
    clear_books(tenant_a)
    seed_books(tenant_a, local_today(tenant_a.timezone))
    yield tenant_a
    clear_books(tenant_a)


def test_refresh_writes_the_runway_figures_the_engine_computes(books_a):
    row = summary_refresh(books_a)
    result = runway_compute(books_a)
    aging = result.ar_aging
    assert row.as_of == result.as_of == local_today(books_a.timezone)
    assert row.cash == result.cash and row.available == result.available
    assert row.runway_days == result.runway_days.quantize(Decimal("0.1"))
    assert (row.low_point, row.low_point_week) == (result.low_point.amount,
                                                   result.low_point.week_start)
    assert row.cash_zero_week == result.cash_zero_week
    assert row.overdue_ar == aging.total - aging.current > 0
    assert row.tray_waiting == 1  # the seeded chase item
    assert row.bank_feed_status == "" and row.digest_week == ""
    assert row.refresh_error == ""


def test_first_refresh_of_a_new_week_keeps_last_week_s_figures(books_a):
    row = summary_refresh(books_a)
    row.week_of = row.week_of - timedelta(days=7)
    row.cash = Decimal("1.00")
    row.save()
    row = summary_refresh(books_a)
    assert row.prior["cash"] == "1.00" and row.prior["tray_waiting"] == 1
    assert row.cash != Decimal("1.00")
    again = summary_refresh(books_a)  # same week: the comparison point stays
    assert again.prior["cash"] == "1.00"


def _broken(business):
    raise RuntimeError("source down")


@override_settings(BUSINESS_SUMMARY_SOURCES=[
    "tests.tenancy.test_summary._broken", "apps.tray.summary.tray_summary"])
def test_a_failing_source_is_named_and_the_others_still_write(books_a):
    row = summary_refresh(books_a)
    assert row.tray_waiting == 1
    assert "tests.tenancy.test_summary._broken: RuntimeError: source down" in row.refresh_error


def test_the_tray_refresh_button_refreshes_the_row(books_a, owner_a):
    BusinessSummary.objects.filter(business=books_a).delete()
    response = client_for(books_a, owner_a).post("/tray/refresh/")
    assert response.status_code in (200, 302)
    row = BusinessSummary.objects.get(business=books_a)
    assert row.runway_days is not None and row.tray_waiting is not None


def test_a_digest_send_refreshes_the_digest_fields(books_a, owner_a):
    from apps.digest.services import digest_send

    report = digest_send(books_a)
    row = BusinessSummary.objects.get(business=books_a)
    assert (row.digest_state, row.digest_week) == (report.state, report.key.split(":")[2])
    assert row.digest_sent_at is not None
