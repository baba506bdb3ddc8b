"""Schedule policy (DESIGN §5): every branch, both sources, precedence."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.integrations.sync.policy import is_sync_due, sync_cadence, sync_interval

NY = ZoneInfo("America/New_York")
H, M = timedelta(hours=1), timedelta(minutes=1)


def at(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=NY)


# 2026-06-10 is a Wednesday (not tax season, not month end); 2026-06-13 is a Saturday.
CASES = [
    # (local_now, user_active, qbo, plaid, reason)
    (at(2026, 6, 10, 10), False, 4 * H, 2 * H, "business_hours"),
    (at(2026, 6, 10, 9, 0), False, 4 * H, 2 * H, "business_hours"),  # 09:00 is open
    (at(2026, 6, 10, 16, 59), False, 4 * H, 2 * H, "business_hours"),
    (at(2026, 6, 10, 17, 0), False, 8 * H, 4 * H, "off_hours"),  # 17:00 is closed
    (at(2026, 6, 10, 8, 59), False, 8 * H, 4 * H, "off_hours"),
    (at(2026, 6, 10, 2), False, 8 * H, 4 * H, "off_hours"),
    (at(2026, 6, 13, 11), False, 8 * H, 4 * H, "weekend"),  # Saturday, business time
    (at(2026, 6, 14, 11), False, 8 * H, 4 * H, "weekend"),  # Sunday
    (at(2026, 6, 29, 11), False, 2 * H, 1 * H, "month_end"),  # Monday the 29th
    (at(2026, 6, 26, 11), False, 4 * H, 2 * H, "business_hours"),  # Friday the 26th
    (at(2026, 7, 28, 11), False, 2 * H, 1 * H, "month_end"),  # day 28 counts
    (at(2026, 6, 27, 11), False, 8 * H, 4 * H, "weekend"),  # month-end Saturday: weekend
    (at(2026, 6, 29, 20), False, 8 * H, 4 * H, "off_hours"),  # month-end night: off hours
    (at(2026, 2, 10, 11), False, 1 * H, 30 * M, "tax_season"),  # February
    (at(2026, 4, 15, 11), False, 1 * H, 30 * M, "tax_season"),  # April
    (at(2026, 9, 15, 11), False, 1 * H, 30 * M, "tax_season"),  # September
    (at(2026, 10, 15, 11), False, 1 * H, 30 * M, "tax_season"),  # October
    (at(2026, 5, 15, 11), False, 4 * H, 2 * H, "business_hours"),  # May is not tax season
    (at(2026, 11, 16, 11), False, 4 * H, 2 * H, "business_hours"),  # November neither
    (at(2026, 4, 28, 11), False, 1 * H, 30 * M, "tax_season"),  # tax season beats month end
    (at(2026, 3, 14, 11), False, 8 * H, 4 * H, "weekend"),  # tax-season Saturday
    (at(2026, 3, 16, 22), False, 8 * H, 4 * H, "off_hours"),  # tax-season night
    (at(2026, 6, 10, 10), True, 30 * M, 15 * M, "user_active"),
    (at(2026, 6, 13, 3), True, 30 * M, 15 * M, "user_active"),  # active beats weekend night
    (at(2026, 2, 10, 11), True, 30 * M, 15 * M, "user_active"),  # and beats tax season
]


@pytest.mark.parametrize("now,active,qbo,plaid,reason", CASES)
def test_interval_table(now, active, qbo, plaid, reason):
    assert sync_cadence("qbo", now, active) == (qbo, reason)
    assert sync_cadence("plaid", now, active) == (plaid, reason)
    assert sync_interval("qbo", now, active) == qbo


def test_unknown_source_is_rejected():
    with pytest.raises(ValueError):
        sync_interval("xero", at(2026, 6, 10, 10), False)


def test_never_synced_is_due():
    assert is_sync_due("qbo", at(2026, 6, 10, 10), None, False)


@pytest.mark.parametrize(
    "elapsed,due", [(3 * H + 59 * M, False), (4 * H, True), (5 * H, True)]
)
def test_due_after_one_interval(elapsed, due):
    now = at(2026, 6, 10, 14)
    assert is_sync_due("qbo", now, now - elapsed, False) is due


def test_activity_makes_a_recent_sync_due():
    now = at(2026, 6, 10, 14)
    last = now - 40 * M
    assert not is_sync_due("qbo", now, last, user_active=False)
    assert is_sync_due("qbo", now, last, user_active=True)
    assert is_sync_due("plaid", now, now - 16 * M, user_active=True)


def test_slack_counts_a_sync_due_slightly_early():
    now = at(2026, 6, 10, 14)
    last = now - 28 * M
    assert not is_sync_due("qbo", now, last, True)
    assert is_sync_due("qbo", now, last, True, slack=timedelta(minutes=2, seconds=30))


def test_last_success_in_another_zone_compares_as_instant():
    now = at(2026, 6, 10, 14)  # 18:00 UTC
    last_utc = datetime(2026, 6, 10, 14, 30, tzinfo=ZoneInfo("UTC"))  # 3.5 h earlier
    assert not is_sync_due("qbo", now, last_utc, False)
