"""The business-date override (apps/core/dates.py) for replays and drills: inside it every
service agrees on the replayed day; outside it, and in any other thread, the system clock rules."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.ap.models import Bill
from apps.ap.services import BillError, bill_approve, bill_schedule
from apps.core.dates import (
    business_now,
    business_now_override,
    business_today_override,
    local_now,
    local_today,
)
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import in_tenant

PAST = date(2025, 3, 10)
TZ = "America/Los_Angeles"


def _real_today(tz: str) -> date:
    return timezone.now().astimezone(ZoneInfo(tz)).date()


def test_without_an_override_the_business_date_is_the_system_clocks():
    before = _real_today(TZ)
    assert abs((business_now() - timezone.now()).total_seconds()) < 5
    assert before <= local_today(TZ) <= _real_today(TZ)  # (a midnight may pass between reads)


def test_the_override_sets_now_and_today_in_the_business_time_zone_then_resets():
    with business_today_override(PAST, TZ, time(23, 30)) as at:
        assert at == datetime(2025, 3, 10, 23, 30, tzinfo=ZoneInfo(TZ))
        assert local_today(TZ) == PAST
        assert local_today("Europe/Paris") == PAST + timedelta(days=1)  # already the 11th there
        assert business_now() == at and business_now().tzinfo == UTC
        assert local_now(TZ).hour == 23
        with business_now_override(datetime(2024, 1, 2, 12, tzinfo=UTC)):
            assert local_today(TZ) == date(2024, 1, 2)
        assert local_today(TZ) == PAST  # the outer one is back
    assert local_today(TZ) != PAST


def test_the_override_resets_after_an_exception_and_refuses_a_naive_instant():
    with pytest.raises(RuntimeError), business_today_override(PAST, TZ):
        raise RuntimeError("boom")
    assert local_today(TZ) != PAST
    with pytest.raises(ValueError), business_now_override(datetime(2025, 3, 10, 9)):
        pass


def test_the_override_never_reaches_another_thread():
    seen = {}
    with business_today_override(PAST, TZ):
        worker = threading.Thread(target=lambda: seen.update(day=local_today(TZ)))
        worker.start()
        worker.join()
        assert local_today(TZ) == PAST
    assert seen["day"] != PAST


@pytest.mark.django_db
def test_services_take_their_date_from_the_override(tenant_a):
    """A past pay date is refused today, accepted on a replayed day before it; the approval on
    the way is stamped at the replayed instant."""
    owner = make_member(tenant_a, Role.OWNER)
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        bill = f.bill(f.vendor("Rent Co"), "400.00", PAST + timedelta(days=20))
        with pytest.raises(BillError, match="past"):
            bill_schedule(actor=owner, bill=bill, pay_on=PAST + timedelta(days=3),
                          approval_limit=Decimal(0))
        with business_today_override(PAST, tenant_a.timezone, time(9, 0)) as at:
            bill_approve(actor=owner, bill=bill, approval_limit=Decimal(0))
            bill_schedule(actor=owner, bill=bill, pay_on=PAST + timedelta(days=3),
                          approval_limit=Decimal(0))
        bill.refresh_from_db()
        assert bill.status == Bill.Status.SCHEDULED
        assert bill.scheduled_date == PAST + timedelta(days=3)
        assert bill.approved_at == at
