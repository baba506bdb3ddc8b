"""The owner's inputs: active reserves and recurring-series overrides."""

from __future__ import annotations

from apps.runway.engine import (
    Reserve,
    SeriesOverride,
)
from apps.runway.selectors.base import _fetch

# --- reserves and the owner's overrides ---------------------------------------------------------

RESERVES_SQL = """
SELECT id, name, held, target, due_date FROM {reserve} WHERE active ORDER BY name, id
"""


def _reserves(rows: list[tuple]) -> list[Reserve]:
    return [Reserve(str(pk), name, held, target or None, due, True)
            for pk, name, held, target, due in rows]


def active_reserves() -> list[Reserve]:
    return _reserves(_fetch(RESERVES_SQL, {}))


OVERRIDES_SQL = """
SELECT key, status, name, cadence, amount, next_date FROM {override} ORDER BY key
"""


def _overrides(rows: list[tuple]) -> list[SeriesOverride]:
    return [SeriesOverride(key, status, name or None, cadence or None, amount, next_date)
            for key, status, name, cadence, amount, next_date in rows]


def series_overrides() -> list[SeriesOverride]:
    return _overrides(_fetch(OVERRIDES_SQL, {}))

