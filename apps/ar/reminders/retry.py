"""Which reminder emails a tick (re)sends: the open ones of its day and the few days before
(docs/collections.md "Retries").

An email is *open* while it may still go and nothing of it can have gone twice: `pending`
(claimed, nothing handed over — e.g. a manual send whose task was lost), `sending` (a dead
worker's: reconciled first, never handed over again) and `failed` (the provider refused every
recipient: nothing went) with attempts left. `sent`, `partial` and `unknown` are never sent
again. A day with an open email in its window is not finished, so the dispatcher comes back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Exists, Q, QuerySet

from apps.ar.reminders.models import ReminderDelivery, ReminderEmail, ReminderTick

E = ReminderEmail.State

# As far back as the plan's catch-up (plan.CATCH_UP_DAYS): an older email is stale news.
RETRY_DAYS = 3
# The wait after the n-th refused attempt. Retries come from the dispatcher's ticks (every
# 15 minutes after the local morning) and the next mornings' ticks within RETRY_DAYS.
RETRY_WAITS = (timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2),
               timedelta(hours=4), timedelta(hours=8))
MAX_ATTEMPTS = len(RETRY_WAITS) + 1
# A manual email is its own task's to send; a tick takes it over once that task looks lost.
MANUAL_GRACE = timedelta(minutes=10)
GAVE_UP = (f"Never handed to the mail provider within {RETRY_DAYS} days of its day "
           "(reminders were off, paused or held): not sent.")


def window_start(day: date) -> date:
    return day - timedelta(days=RETRY_DAYS)


def open_emails(day: date) -> QuerySet:
    """Emails of `day` and the RETRY_DAYS before it that may still go."""
    return ReminderEmail.objects.filter(day__gte=window_start(day), day__lte=day).filter(
        Q(state__in=(E.PENDING, E.SENDING)) | Q(state=E.FAILED, attempts__lt=MAX_ATTEMPTS))


def due_emails(day: date, now: datetime) -> QuerySet:
    """The open emails to send now: a refused one only once its wait is over."""
    waited = Q(state__in=(E.PENDING, E.SENDING)) | Q(state=E.FAILED, attempted_at__isnull=True) \
        | Q(state=E.FAILED, attempts=0)
    for n, wait in enumerate(RETRY_WAITS, start=1):
        waited |= Q(state=E.FAILED, attempts=n, attempted_at__lte=now - wait)
    recent = now - MANUAL_GRACE
    return open_emails(day).filter(waited).exclude(
        Q(manual=True, state__in=(E.PENDING, E.SENDING))
        & (Q(created_at__gt=recent) | Q(attempted_at__gt=recent)))


def failed_reopen(email: ReminderEmail) -> None:
    """A refused email's recipients go back to `pending` for another attempt — except one a
    tracking event proves the provider had after all (never sent twice)."""
    D = ReminderDelivery.State
    email.deliveries.filter(state=D.FAILED, last_event="").update(state=D.PENDING)
    email.deliveries.filter(state=D.FAILED).exclude(last_event="").update(state=D.SENT)


def expired_give_up(day: date) -> None:
    """A pending email older than the window (its ticks never ran: reminders off, paused or
    held) is not left `pending` for ever: it is `failed`, saying why."""
    old = ReminderEmail.objects.filter(day__lt=window_start(day), state=E.PENDING)
    ReminderDelivery.objects.filter(email__in=old, state=ReminderDelivery.State.PENDING
                                    ).update(state=ReminderDelivery.State.FAILED, error=GAVE_UP)
    old.update(state=E.FAILED, error=GAVE_UP)


def day_done(day: date) -> bool:
    """The day's tick finished and nothing in its window is open (a manual email claimed
    since, or a refused one waiting for its retry). One query."""
    return (ReminderTick.objects.filter(day=day, finished_at__isnull=False)
            .filter(~Exists(open_emails(day))).exists())
