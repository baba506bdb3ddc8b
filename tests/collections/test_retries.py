"""A reminder the mail provider refuses (HTTP 503: nothing went) is not lost: its day stays
unfinished, later ticks send it once the provider is back (after a wait, a few times, within
a few days), never twice; a manual send whose task was lost is sent by the next tick; the
"Send reminder" button sends a refused one again instead of answering 409. Mail goes through
anymail's real Postmark backend to a local stand-in (conftest `postmark`)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from apps.ar.reminders.manual import invoice_remind
from apps.ar.reminders.models import ReminderEmail, ReminderTick
from apps.ar.reminders.retry import MANUAL_GRACE, MAX_ATTEMPTS, RETRY_DAYS
from apps.ar.reminders.send import reminder_email_send, reminders_tick
from apps.collections.services import reminders_due
from apps.core.dates import business_now_override
from tests.portal import factories as f
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _local(rem, day, hour, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(rem.business.timezone))


def _due(rem, at: datetime) -> bool:
    return rem.business.pk in [b.pk for b, _ in reminders_due(at)]


def _overdue(rem):
    with in_tenant(rem.business):
        c = f.customer("Acme Co", "billing@acme.test")
        return f.invoice(c, "1000.00", rem.today - timedelta(days=1), doc="A-1")  # +1 today


def test_a_refused_reminder_keeps_its_day_open_and_goes_once_the_provider_is_back(rem,
                                                                                  postmark):
    _overdue(rem)
    day = rem.today
    postmark.mode = "refuse"
    reminders_tick(rem.business, day, {})
    with in_tenant(rem.business):
        email = ReminderEmail.objects.get(day=day)
        assert email.state == "failed"
        assert ReminderTick.objects.get(day=day).finished_at is None  # not finished
        assert email.attempts == 1
    assert _due(rem, _local(rem, day, 10))  # the dispatcher comes back for it
    reminders_tick(rem.business, day, {})  # at once: its wait is not over
    assert len(postmark.refused) == 1
    postmark.mode = "accept"
    with business_now_override(timezone.now() + timedelta(minutes=31)):
        report = reminders_tick(rem.business, day, {})
    assert report.sent == 1 and report.open == 0
    (msg,) = postmark.accepted
    assert msg["To"] == "billing@acme.test" and "payment now due" in msg["Subject"]
    with in_tenant(rem.business):
        email.refresh_from_db()
        assert (email.state, email.attempts) == ("sent", 2)
        assert ReminderTick.objects.get(day=day).finished_at is not None
    assert not _due(rem, _local(rem, day, 11))
    with business_now_override(timezone.now() + timedelta(hours=5)):
        reminders_tick(rem.business, day, {})
    assert len(postmark.accepted) == 1  # never twice


def test_the_next_mornings_tick_sends_a_step_refused_the_day_before(rem, postmark):
    """The reviewer's case: an outage at 08:00 dropped the day's reminder for good."""
    _overdue(rem)
    day = rem.today
    postmark.mode = "refuse"
    reminders_tick(rem.business, day, {})
    postmark.mode = "accept"
    with business_now_override(_local(rem, day + timedelta(days=1), 8, 5)):
        report = reminders_tick(rem.business, day + timedelta(days=1), {})
    assert report.sent == 1
    (msg,) = postmark.accepted
    assert "payment now due" in msg["Subject"]  # the refused step, not the next one
    with in_tenant(rem.business):
        assert list(ReminderEmail.objects.values_list("day", "state")) == [(day, "sent")]


def test_a_refusal_is_retried_a_few_times_then_left_failed(rem, postmark):
    _overdue(rem)
    day = rem.today
    postmark.mode = "refuse"
    at = timezone.now()
    for _ in range(MAX_ATTEMPTS + 2):
        with business_now_override(at):
            reminders_tick(rem.business, day, {})
        at += timedelta(hours=9)
    assert len(postmark.refused) == MAX_ATTEMPTS
    with in_tenant(rem.business):
        email = ReminderEmail.objects.get()
        assert (email.state, email.attempts) == ("failed", MAX_ATTEMPTS)
        assert ReminderTick.objects.get(day=day).finished_at is not None
    assert not _due(rem, _local(rem, day, 23))
    # Nor is an email older than the window retried by a later day's tick.
    postmark.mode = "accept"
    with in_tenant(rem.business):
        ReminderEmail.objects.update(attempts=1)
    later = day + timedelta(days=RETRY_DAYS + 1)
    with business_now_override(_local(rem, later, 9)):
        reminders_tick(rem.business, later, {})
    assert postmark.accepted == []


def test_a_manual_reminder_whose_task_was_lost_is_sent_by_the_next_tick(
        rem, django_capture_on_commit_callbacks):
    day = rem.today
    with in_tenant(rem.business):
        c = f.customer("Manual Co", "ap@manual.test")
        inv = f.invoice(c, "800.00", day - timedelta(days=20))
    reminders_tick(rem.business, day, {})  # 08:00: nothing due (step 14 is 6 days old)
    mail.outbox.clear()
    with in_tenant(rem.business):
        with django_capture_on_commit_callbacks(execute=False):  # the task is lost
            email = invoice_remind(actor=rem.bookkeeper, invoice=inv)
        assert ReminderTick.objects.get(day=day).finished_at is not None
    assert _due(rem, _local(rem, day, 14))  # a pending email keeps the day open
    reminders_tick(rem.business, day, {})
    assert mail.outbox == []  # its own task may still be on its way: left to it a while
    with business_now_override(timezone.now() + MANUAL_GRACE + timedelta(minutes=1)):
        reminders_tick(rem.business, day, {})
    assert [m.to for m in mail.outbox] == [["ap@manual.test"]]
    with in_tenant(rem.business):
        email.refresh_from_db()
        assert email.state == "sent" and email.manual
    assert not _due(rem, _local(rem, day, 15))


def test_send_reminder_sends_todays_refused_email_again_instead_of_409(
        rem, postmark, django_capture_on_commit_callbacks):
    inv = _overdue(rem)
    postmark.mode = "refuse"
    reminders_tick(rem.business, rem.today, {})
    postmark.mode = "accept"
    with in_tenant(rem.business):
        refused = ReminderEmail.objects.get()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            again = invoice_remind(actor=rem.bookkeeper, invoice=inv)
        assert again.pk == refused.pk and len(callbacks) == 1
        assert reminder_email_send(rem.business, again) == "sent"  # what the task does
    assert len(postmark.accepted) == 1 and postmark.accepted[0]["To"] == "billing@acme.test"
