"""Time helpers: QBO stamps times in the company's zone with an offset."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

COMPANY_TZ = ZoneInfo("America/Los_Angeles")

_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def qbo_now() -> str:
    """Response `time`: milliseconds, company offset (like QBO's envelope time)."""
    return datetime.now(COMPANY_TZ).isoformat(timespec="milliseconds")


def qbo_stamp(epoch: float | None = None) -> str:
    """MetaData timestamps: whole seconds with offset, e.g. 2015-07-24T10:33:39-07:00."""
    moment = datetime.fromtimestamp(time.time() if epoch is None else epoch, COMPANY_TZ)
    return moment.isoformat(timespec="seconds")


def looks_like_datetime(text: str) -> bool:
    return bool(_DATETIME_RE.match(text))


def looks_like_date(text: str) -> bool:
    return bool(_DATE_RE.match(text))


def to_epoch(text: str) -> float | None:
    """Epoch seconds of an ISO date or datetime (naive = company time); None if not one."""
    try:
        if looks_like_datetime(text):
            value = text.replace("Z", "+00:00")
            moment = datetime.fromisoformat(value)
        elif looks_like_date(text):
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            return None
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=COMPANY_TZ)
    return moment.timestamp()


def days_ago_epoch(days: int) -> float:
    return (datetime.now(UTC) - timedelta(days=days)).timestamp()
