"""Every date knows the business's time zone: helpers to turn instants into local dates and back.

The business's "now" is the system clock, except inside `business_now_override` — a replay of
past books (tests/bench/bench_automation.py runs the real automation tick over the demo agency's
last 13 weeks) or a drill moves it to the day being replayed, so every service that asks what
day it is (`local_today`, `business_now`: approvals, schedules, reminders, the tick) agrees on
that day. Only that explicit context manager sets it; it is a contextvar, so it never leaks into
another request, thread or task, and nothing in a production path ever enters it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone

_OVERRIDE: ContextVar[datetime | None] = ContextVar("business_now_override", default=None)


def business_now() -> datetime:
    """Now (aware, UTC): the system clock, or the instant a replay set."""
    return _OVERRIDE.get() or timezone.now()


@contextmanager
def business_now_override(at: datetime) -> Iterator[datetime]:
    """Run the block as if it were `at` (an aware instant): for replays and drills only."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("business_now_override needs an aware datetime")
    token = _OVERRIDE.set(at.astimezone(UTC))  # as timezone.now() gives it
    try:
        yield at
    finally:
        _OVERRIDE.reset(token)


def business_today_override(day: date, tz_name: str, at: time = time(9, 0)):
    """`business_now_override` at `at` o'clock on `day` in the business's time zone."""
    return business_now_override(local_datetime(day, at, tz_name))


def local_now(tz_name: str) -> datetime:
    return business_now().astimezone(ZoneInfo(tz_name))


def local_today(tz_name: str) -> date:
    return local_now(tz_name).date()


def week_start(day: date) -> date:
    """Monday of the ISO week containing `day`."""
    return day - timedelta(days=day.weekday())


def local_time(at: datetime, tz_name: str) -> datetime:
    """An instant on the business's clock (what its people read), not the server's UTC."""
    return at.astimezone(ZoneInfo(tz_name))


def local_datetime(day: date, at: time, tz_name: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz_name))


def iso_week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


ONE_YEAR_AHEAD = timedelta(days=366)


def date_in_next_year(on: date | None, today: date, error: type[Exception], *, past: str,
                      too_far: str) -> None:
    """Refuse (``error``) a date the owner picked that is before ``today`` or more than a year
    after it; ``None`` (no date) is fine."""
    if on is None:
        return
    if on < today:
        raise error(past)
    if on > today + ONE_YEAR_AHEAD:
        raise error(too_far)


# Time zones a person picks from: region/city names and UTC. Left out: the server's own
# "localtime", legacy aliases (US/Eastern, W-SU, Canada/…) and Etc/GMT±N (its sign is inverted).
TZ_REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe",
              "Indian", "Pacific")


def timezone_names() -> list[str]:
    return ["UTC", *sorted(z for z in available_timezones() if z.split("/")[0] in TZ_REGIONS)]
