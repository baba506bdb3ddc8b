"""Each business gets its digest at its own local send time; a missed one goes out late."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django_tenants.utils import tenant_context

from apps.digest.services import digest_due
from tests.factories import DigestRunFactory

UTC = ZoneInfo("UTC")


def _due(now):
    return {(d.business.slug, d.week, d.late) for d in digest_due(now)
            if d.business.slug in ("alpha", "beta")}


def _mark_sent(business, week):
    DigestRunFactory(business=business, week=week, state="sent")


def test_sydney_and_los_angeles_each_at_their_own_nine(tenant_a, tenant_b):
    for b in (tenant_a, tenant_b):
        _mark_sent(b, "2026-W09")
    # Sun 1 Mar 21:55 UTC = Mon 08:55 in Sydney (AEDT), Sun 13:55 in Los Angeles
    assert _due(datetime(2026, 3, 1, 21, 55, tzinfo=UTC)) == set()
    # 22:05 UTC = Mon 09:05 in Sydney: beta is due, on time
    assert _due(datetime(2026, 3, 1, 22, 5, tzinfo=UTC)) == {("beta", "2026-W10", False)}
    _mark_sent(tenant_b, "2026-W10")
    # Mon 16:55 UTC = 08:55 in Los Angeles (PST): nobody
    assert _due(datetime(2026, 3, 2, 16, 55, tzinfo=UTC)) == set()
    # Mon 17:05 UTC = 09:05 in Los Angeles: alpha
    assert _due(datetime(2026, 3, 2, 17, 5, tzinfo=UTC)) == {("alpha", "2026-W10", False)}


def test_a_missed_digest_is_due_late_and_a_claimed_one_is_not(tenant_a, tenant_b):
    _mark_sent(tenant_b, "2026-W10")
    # Wednesday: alpha's Monday digest never went out (say beat was down) → late
    assert _due(datetime(2026, 3, 4, 18, 0, tzinfo=UTC)) == {("alpha", "2026-W10", True)}
    with tenant_context(tenant_a):
        DigestRunFactory(week="2026-W10", state="unknown")
    assert _due(datetime(2026, 3, 4, 18, 0, tzinfo=UTC)) == set()  # staff decide, not beat


def test_the_owner_can_move_the_day_and_time(tenant_a, tenant_b):
    from datetime import time

    from django.apps import apps

    _mark_sent(tenant_b, "2026-W10")
    settings_model = apps.get_model("business_settings", "BusinessSettings")
    with tenant_context(tenant_a):
        settings_model.objects.update_or_create(
            singleton=1, defaults={"digest_weekday": 4, "digest_time": time(7, 30)})
    assert _due(datetime(2026, 3, 5, 17, 0, tzinfo=UTC)) == set()  # Thursday
    # Fri 6 Mar 07:31 in Los Angeles = 15:31 UTC
    assert _due(datetime(2026, 3, 6, 15, 31, tzinfo=UTC)) == {("alpha", "2026-W10", False)}


def test_the_late_note_reads_the_business_s_clock_not_utc():
    from apps.digest.models import DigestRun
    from apps.digest.sending import late_note

    run = DigestRun(late=True, scheduled_for=datetime(2026, 3, 9, 13, 0, tzinfo=UTC))  # re-read
    assert late_note(run, "America/New_York") == "it was due Mon 9 Mar 09:00 EDT"
    assert late_note(DigestRun(late=False, scheduled_for=run.scheduled_for), "UTC") == ""


def test_a_late_sunday_slot_missed_before_midnight_goes_the_next_day(tenant_a, tenant_b):
    """Sunday 23:45 leaves one beat tick before the week changes: if beat is a few seconds
    late, the digest is still due on Monday (for 24 hours), not lost for the week."""
    from datetime import time

    from django.apps import apps

    _mark_sent(tenant_b, "2026-W11")
    settings_model = apps.get_model("business_settings", "BusinessSettings")
    with tenant_context(tenant_a):
        settings_model.objects.update_or_create(
            singleton=1, defaults={"digest_weekday": 6, "digest_time": time(23, 45)})
    # Sun 8 Mar 23:44 in Los Angeles (PDT) = Mon 06:44 UTC: not yet
    assert _due(datetime(2026, 3, 9, 6, 44, tzinfo=UTC)) == set()
    # The next tick lands at Mon 00:00:05 there: the week has turned, Sunday's is still due
    assert _due(datetime(2026, 3, 9, 7, 0, 5, tzinfo=UTC)) == {("alpha", "2026-W10", False)}
    # A day and more later it is given up (the next Sunday's supersedes it)
    assert _due(datetime(2026, 3, 10, 7, 0, 5, tzinfo=UTC)) == set()
    _mark_sent(tenant_a, "2026-W10")
    assert _due(datetime(2026, 3, 9, 7, 0, 5, tzinfo=UTC)) == set()
