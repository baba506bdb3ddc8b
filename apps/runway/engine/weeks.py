"""The forecast calendar: 13 weekly buckets from Monday of the as-of week (local dates)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

WEEKS = 13


def week_start_of(day: date) -> date:
    """Monday of the week containing ``day`` (a Sunday belongs to the week that began Monday)."""
    return day - timedelta(days=day.weekday())


def horizon(as_of: date) -> tuple[date, date]:
    """(first Monday, first day after week 13)."""
    start = week_start_of(as_of)
    return start, start + timedelta(days=7 * WEEKS)


def week_index(day: date, first_monday: date) -> int:
    return (day - first_monday).days // 7


def month_length(year: int, month: int) -> int:
    """Days in a month (`calendar.monthrange` also works out the first weekday, which recurring
    detection does not need and calls for hundreds of times per computation)."""
    if month == 2 and calendar.isleap(year):
        return 29
    return calendar.mdays[month]


def month_day(year: int, month: int, day: int) -> date:
    """``day`` of a month, clamped to its last day (31 → 30 Apr, 28/29 Feb)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day, month_length(year, month)))


def is_month_end(day: date) -> bool:
    return day.day == month_length(day.year, day.month)
