"""Prep Tray generation: one item per cause, idempotent, keeps decisions, closes and reopens."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.ap.models import Bill
from apps.integrations.sync.models import QboConnection
from apps.tray.models import TrayItem
from apps.tray.services import (
    TrayError,
    tray_generate,
    tray_item_dismiss,
    tray_item_done,
    tray_item_snooze,
)
from tests.factories import QboConnectionFactory
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(tenant_a):
    """A small set of causes (and non-causes) in business A."""
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        today = f.today_of(tenant_a)
        acct = f.account(balance="90000.00")
        f.burn(acct, "9000.00", today)  # daily burn 100.00
        rent = f.vendor("Rent Co")
        saas = f.vendor("Figma")
        rows = {
            "approve": f.bill(rent, "1000.00", today + timedelta(days=5)),
            "pay": f.bill(saas, "250.00", today - timedelta(days=2), status=Bill.Status.APPROVED),
            "later": f.bill(saas, "400.00", today + timedelta(days=40)),
            "held": f.bill(rent, "300.00", today, status=Bill.Status.ON_HOLD),
            "paid": f.bill(rent, "800.00", today, balance="0"),
        }
        bolt = f.customer("Bolt Studio")
        rows["invoice"] = f.invoice(bolt, "3000.00", today - timedelta(days=20))
        rows["not_due"] = f.invoice(bolt, "999.00", today + timedelta(days=5))
        rows["memo"] = f.credit_memo(bolt, "120.00")
        rows["reserve"] = f.reserve(target="5000.00", held="1000.00")
        rows["full_reserve"] = f.reserve(name="Taxes", target="100.00", held="100.00")
    yield rows


def _keys():
    return set(TrayItem.objects.values_list("key", flat=True))


def test_one_item_per_cause_with_amount_due_and_impact(tenant_a, books):
    summary = tray_generate(tenant_a)
    with in_tenant(tenant_a):
        assert _keys() == {
            f"bill:{books['approve'].pk}",
            f"bill:{books['pay'].pk}",
            f"invoice:{books['invoice'].pk}",
            f"credit:{books['memo'].pk}",
            f"reserve:{books['reserve'].pk}",
        }
        assert summary.created == 5 and summary.open == 5
        approve = TrayItem.objects.get(key=f"bill:{books['approve'].pk}")
        assert approve.kind == "bill_approve"
        assert approve.amount == Decimal("1000.00")
        assert approve.due_date == books["approve"].due_date
        # Pay now 1,000 at 100.00/day of burn = -10.0 days, with its reason.
        assert approve.impact_days == Decimal("-10.0")
        assert "-10.0 days of runway" in approve.impact_sentence
        chase = TrayItem.objects.get(key=f"invoice:{books['invoice'].pk}")
        assert chase.impact_days == Decimal("30.0")
        pay = TrayItem.objects.get(key=f"bill:{books['pay'].pk}")
        assert pay.kind == "bill_pay"


def test_regeneration_is_idempotent(tenant_a, books):
    tray_generate(tenant_a)
    again = tray_generate(tenant_a)
    assert again.created == 0 and again.closed == 0 and again.updated == 0
    with in_tenant(tenant_a):
        assert TrayItem.objects.count() == 5


def test_regeneration_keeps_owner_decisions(tenant_a, owner_a, books):
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        items = {i.target_type: i for i in TrayItem.objects.all()}
        tray_item_dismiss(actor=owner_a, item=items["credit_memo"])
        tray_item_done(actor=owner_a, item=items["reserve"])
        tray_item_snooze(actor=owner_a, item=items["invoice"], until=today + timedelta(days=3))
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        status = dict(TrayItem.objects.values_list("target_type", "status"))
        assert status["credit_memo"] == "dismissed"
        assert status["reserve"] == "done"
        assert status["invoice"] == "snoozed"
        visible = set(TrayItem.objects.visible(today).values_list("target_type", flat=True))
        assert visible == {"bill"}
        # The snooze ends: the item is back without a new row.
        later = set(
            TrayItem.objects.visible(today + timedelta(days=3)).values_list("key", flat=True)
        )
        assert f"invoice:{books['invoice'].pk}" in later
        assert TrayItem.objects.count() == 5


def test_items_close_when_the_cause_disappears_and_reopen_when_it_returns(tenant_a, books):
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        Bill.objects.filter(pk=books["approve"].pk).update(balance=0, home_balance=0)  # paid in QBO
        books["invoice"].balance = books["invoice"].home_balance = 0
        books["invoice"].save()
        f.fresh_runway(tenant_a)
    summary = tray_generate(tenant_a)
    assert summary.closed == 2
    with in_tenant(tenant_a):
        closed = TrayItem.objects.get(key=f"bill:{books['approve'].pk}")
        assert closed.status == TrayItem.Status.CLOSED and closed.closed_at is not None
        Bill.objects.filter(pk=books["approve"].pk).update(
            balance=Decimal("1000.00"), home_balance=Decimal("1000.00")
        )
        f.fresh_runway(tenant_a)
    summary = tray_generate(tenant_a)
    assert summary.reopened == 1
    with in_tenant(tenant_a):
        assert TrayItem.objects.get(key=f"bill:{books['approve'].pk}").status == "open"
        assert TrayItem.objects.filter(key=f"bill:{books['approve'].pk}").count() == 1


def test_decisions_on_closed_items_are_refused(tenant_a, owner_a, books):
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        Bill.objects.filter(pk=books["approve"].pk).update(balance=0, home_balance=0)
        f.fresh_runway(tenant_a)
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        item = TrayItem.objects.get(key=f"bill:{books['approve'].pk}")
        with pytest.raises(TrayError):
            tray_item_done(actor=owner_a, item=item)


def test_ranking_connection_then_urgent_bills_then_invoices_then_the_rest(tenant_a, books):
    QboConnectionFactory(business=tenant_a, oauth_environment="sandbox",
                         status=QboConnection.Status.NEEDS_RECONNECT)
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        big = f.customer("Acme Outdoor")
        small_old = f.invoice(big, "1000.00", today - timedelta(days=40))
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        keys = list(TrayItem.objects.visible(today).values_list("key", flat=True))
    assert keys == [
        "connection:qbo:reconnect",
        f"bill:{books['pay'].pk}",  # overdue
        f"invoice:{books['invoice'].pk}",  # 3,000 × 20 = 60,000
        f"invoice:{small_old.pk}",  # 1,000 × 40 = 40,000
        f"bill:{books['approve'].pk}",  # due in 5 days
        f"credit:{books['memo'].pk}",
        f"reserve:{books['reserve'].pk}",
    ]


def test_snooze_dates_are_checked(tenant_a, owner_a, books):
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        today = f.today_of(tenant_a)
        item = TrayItem.objects.first()
        for bad in (today, today - timedelta(days=1), today + timedelta(days=91)):
            with pytest.raises(TrayError):
                tray_item_snooze(actor=owner_a, item=item, until=bad)
        item.refresh_from_db()
        assert item.status == "open"
