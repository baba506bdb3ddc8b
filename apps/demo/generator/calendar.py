"""Date helpers for the simulated books: business days, month walks, the company time zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import lru_cache

DAY = timedelta(days=1)


def next_bday(d: date) -> date:
    while d.weekday() >= 5:
        d += DAY
    return d


def prev_bday(d: date) -> date:
    while d.weekday() >= 5:
        d -= DAY
    return d


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """First day of the month n months after d's month."""
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def month_end(d: date) -> date:
    return add_months(d, 1) - DAY


def month_starts(start: date, end: date) -> Iterator[date]:
    """Every first-of-month in [start, end]."""
    d = month_start(start)
    if d < start:
        d = add_months(d, 1)
    while d <= end:
        yield d
        d = add_months(d, 1)


def day_in_month(month: date, day: int) -> date:
    """The given day of `month`, clamped to the month's last day."""
    return month.replace(day=min(day, month_end(month).day))


def fridays_every_14(anchor: date, start: date, end: date) -> list[date]:
    """Biweekly Fridays aligned on `anchor` (a Friday) within [start, end]."""
    assert anchor.weekday() == 4
    k = (start - anchor).days // 14
    d = anchor + timedelta(days=14 * k)
    out = []
    while d <= end:
        if d >= start:
            out.append(d)
        d += timedelta(days=14)
    return out


@lru_cache(maxsize=8192)
def pacific_offset(d: date) -> str:
    """UTC offset of US Pacific time on d (DST: 2nd Sunday of March to 1st Sunday of November);
    QBO stamps MetaData in the company's zone."""
    march = date(d.year, 3, 8)
    dst_start = march + timedelta(days=(6 - march.weekday()) % 7)
    nov = date(d.year, 11, 1)
    dst_end = nov + timedelta(days=(6 - nov.weekday()) % 7)
    return "-07:00" if dst_start <= d < dst_end else "-08:00"


def stamp(d: date, seq: int) -> str:
    """A deterministic business-hours timestamp on d (QBO MetaData style)."""
    secs = 8 * 3600 + (seq * 7919) % (10 * 3600)
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return f"{d.isoformat()}T{h:02d}:{m:02d}:{s:02d}{pacific_offset(d)}"
