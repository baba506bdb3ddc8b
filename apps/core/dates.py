"""Every date knows the business's time zone: helpers to turn instants into local dates and back."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone


def local_now(tz_name: str) -> datetime:
    return timezone.now().astimezone(ZoneInfo(tz_name))


def local_today(tz_name: str) -> date:
    return local_now(tz_name).date()


def week_start(day: date) -> date:
    """Monday of the ISO week containing `day`."""
    return day - timedelta(days=day.weekday())


def local_datetime(day: date, at: time, tz_name: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz_name))


def iso_week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
