"""Time for leases and expiry, injectable. Code that expires things (lease locks, the QBO
limiter, the sandbox's tokens) takes a `Clock`; the default is the system's. Tests pass a
`ManualClock` and move it forward instead of sleeping, so an expiry test takes no real time and
cannot race the machine's load.

Redis-backed leases take time from the Redis server when no clock is given (every worker then
agrees however skewed their own clocks are); a given clock's `time()` is sent with each script.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime


class Clock:
    """The system's wall clock, monotonic clock and sleep."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def advance(self, seconds: float) -> None:
        raise TypeError("the system clock cannot be moved; inject a ManualClock or OffsetClock")


SYSTEM_CLOCK = Clock()


class ManualClock(Clock):
    """A clock that moves only when told: `advance()`, or `sleep()` (which returns at once).
    Shared by threads; a forked process gets a copy at the moment of the fork."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def time(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class OffsetClock(Clock):
    """The system's time moved forward by `advance()` — for a long-running server (the local
    QBO sandbox) whose tests must jump past an expiry without stopping its clock."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.offset += seconds


def clock_datetime(clock: Clock | None) -> datetime:
    """An aware UTC datetime: the clock's, or the system's when none is given."""
    return datetime.fromtimestamp((clock or SYSTEM_CLOCK).time(), UTC)


def now_ms(clock: Clock | None) -> int:
    """Milliseconds for a Redis script's ARGV: the clock's, or -1 for "use the server's TIME"."""
    return -1 if clock is None else int(clock.time() * 1000)


# Lua: `now` in ms from ARGV (see now_ms), or the Redis server's TIME when it is negative.
REDIS_NOW_LUA = """
local function clock_now(arg)
  local given = tonumber(arg)
  if given >= 0 then return given end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""
