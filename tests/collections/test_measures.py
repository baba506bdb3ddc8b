"""Collections measures by hand: DSO, overdue share, reminders per paid invoice, and days late
before vs after reminders (with the "enough history" rule)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.collections.measures import collections_measures, dso_at
from tests.factories import (
    InvoiceFactory,
    PaymentFactory,
    PaymentLineFactory,
    ReminderEmailFactory,
    ReminderSendFactory,
)
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _issued(c, total, issued, due, *, paid_on=None):
    total = Decimal(total)
    return InvoiceFactory(customer=c, total=total, balance=Decimal("0") if paid_on else total,
                          txn_date=issued, due_date=due, paid_date=paid_on)


def test_dso_overdue_share_and_reminders_per_paid(rem):
    t = rem.today
    with in_tenant(rem.business):
        c = f.customer("Measure Co")
        current = _issued(c, "900.00", t - timedelta(days=10), t + timedelta(days=20))
        paid = _issued(c, "300.00", t - timedelta(days=40), t - timedelta(days=10),
                       paid_on=t - timedelta(days=5))
        _issued(c, "600.00", t - timedelta(days=200), t - timedelta(days=170))  # open, overdue
        # AR open 900 + 600 = 1,500; invoiced in 90 days 900 + 300 = 1,200 → 1,500/1,200 × 90
        assert dso_at(t) == Decimal("112.5")
        PaymentLineFactory(payment=PaymentFactory(customer=c, total=Decimal("200.00"),
                                                  txn_date=t - timedelta(days=3)),
                           invoice=current, amount=Decimal("200.00"))
        assert dso_at(t) == Decimal("97.5")  # 200 paid on the open 900: 1,300 ÷ 1,200 × 90
        assert dso_at(t - timedelta(days=4)) == Decimal("112.5")  # before that payment
        email = ReminderEmailFactory(customer=c, day=t - timedelta(days=9), state="sent")
        ReminderSendFactory(email=email, invoice=paid, step_offset=1, tone="firm",
                            balance=Decimal("300.00"))
        m = collections_measures(t)
        assert m.overdue_share == Decimal("40.0")  # 600 of 1,500 (balances as QuickBooks has them)
        assert (m.paid_recently, m.reminders_for_paid, m.reminders_per_paid) == (
            1, 1, Decimal("1.00"))
        assert m.dso[-1] == (t, Decimal("97.5")) and len(m.dso) == 6


def test_days_late_before_and_after_reminders_needs_three_each_side(rem):
    t = rem.today
    with in_tenant(rem.business):
        x = f.customer("Xenon")
        first = t - timedelta(days=100)
        for late in (10, 20, 30):  # before any reminder: average 20.0 days late
            due = first - timedelta(days=60 + late)
            _issued(x, "100.00", due - timedelta(days=30), due, paid_on=due + timedelta(days=late))
        email = ReminderEmailFactory(customer=x, day=first, state="sent")
        for i, late in enumerate((2, 4, 6)):  # reminded, then paid: average 4.0
            due = first + timedelta(days=10 * i)
            inv = _issued(x, "100.00", due - timedelta(days=30), due,
                          paid_on=due + timedelta(days=late))
            ReminderSendFactory(email=email, invoice=inv, step_offset=1, tone="firm",
                                balance=Decimal("100.00"))
        y = f.customer("Yttrium")
        ReminderEmailFactory(customer=y, day=first, state="sent")
        _issued(y, "100.00", first - timedelta(days=60), first - timedelta(days=30),
                paid_on=first - timedelta(days=20))
        (ex, ey) = collections_measures(t).effects
        assert (ex.name, ex.before_avg, ex.after_avg, ex.change) == (
            "Xenon", Decimal("20.0"), Decimal("4.0"), Decimal("-16.0"))
        assert ex.enough and not ey.enough and ey.change is None
    page = client_for(rem.business, rem.owner).get("/collections/").content.decode()
    assert "-16.0 days" in page and "not enough history yet" in page
