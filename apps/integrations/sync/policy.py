"""When is a business due for a sync? The schedule policy of DESIGN §5, as one pure function.

Rules, evaluated in the business's local time (``local_now`` must already be converted):

==================================  =========  =========
situation                           QBO        Plaid
==================================  =========  =========
user active (portal used recently)  30 min     15 min
business hours, tax season          1 h        30 min
business hours, month end (day≥28)  2 h        1 h
business hours, otherwise           4 h        2 h
off hours (before 9, from 17 on)    8 h        4 h
weekends (Sat, Sun)                 8 h        4 h
==================================  =========  =========

Precedence (decided here, documented in docs/qbo.md):
- Business hours are Mon–Fri, 09:00 ≤ time < 17:00 local.
- Month end and tax season only tighten *business hours*; nights and weekends stay at 8 h / 4 h.
- When month end falls in tax season, the tighter interval wins (tax season, 1 h / 30 min).
- An active user always gets the tightest of "user active" and the calendar interval (the
  active interval is the tightest in the table, so in practice it wins).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, NamedTuple

Source = Literal["qbo", "plaid"]

TAX_SEASON_MONTHS = frozenset({1, 2, 3, 4, 9, 10})
MONTH_END_FROM_DAY = 28
BUSINESS_HOURS = (9, 17)  # [start, end) in local hours

_INTERVALS: dict[str, dict[str, timedelta]] = {
    "user_active": {"qbo": timedelta(minutes=30), "plaid": timedelta(minutes=15)},
    "tax_season": {"qbo": timedelta(hours=1), "plaid": timedelta(minutes=30)},
    "month_end": {"qbo": timedelta(hours=2), "plaid": timedelta(hours=1)},
    "business_hours": {"qbo": timedelta(hours=4), "plaid": timedelta(hours=2)},
    "off_hours": {"qbo": timedelta(hours=8), "plaid": timedelta(hours=4)},
    "weekend": {"qbo": timedelta(hours=8), "plaid": timedelta(hours=4)},
}


class Cadence(NamedTuple):
    interval: timedelta
    reason: str  # one of the keys of _INTERVALS; shown to staff


def _calendar_reason(local_now: datetime) -> str:
    if local_now.weekday() >= 5:
        return "weekend"
    start, end = BUSINESS_HOURS
    if not (start <= local_now.hour < end):
        return "off_hours"
    candidates = ["business_hours"]
    if local_now.day >= MONTH_END_FROM_DAY:
        candidates.append("month_end")
    if local_now.month in TAX_SEASON_MONTHS:
        candidates.append("tax_season")
    # Take the tighter when several apply; ties are impossible with the table above.
    return min(candidates, key=lambda r: _INTERVALS[r]["qbo"])


def sync_cadence(source: Source, local_now: datetime, user_active: bool) -> Cadence:
    """The interval that applies now, with the rule that produced it."""
    if source not in ("qbo", "plaid"):
        raise ValueError(f"unknown sync source {source!r}")
    reason = _calendar_reason(local_now)
    if user_active and _INTERVALS["user_active"][source] < _INTERVALS[reason][source]:
        reason = "user_active"
    return Cadence(_INTERVALS[reason][source], reason)


def sync_interval(source: Source, local_now: datetime, user_active: bool) -> timedelta:
    return sync_cadence(source, local_now, user_active).interval


def is_sync_due(
    source: Source,
    local_now: datetime,
    last_success_at: datetime | None,
    user_active: bool,
    *,
    slack: timedelta = timedelta(0),
) -> bool:
    """True when no sync ever succeeded or the last success is at least one interval old.

    ``slack`` lets a dispatcher that ticks every N minutes count a sync as due a little early
    (e.g. half a tick), so "every 30 min" does not drift to every 35 min.
    """
    if last_success_at is None:
        return True
    interval = sync_interval(source, local_now, user_active)
    return local_now - last_success_at >= interval - slack
