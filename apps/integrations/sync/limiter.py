"""Per-realm request limiter shared through Redis by every worker process.

QBO allows 500 requests per rolling minute and 10 concurrent requests per realm. Each HTTP
request to QBO takes a *slot*:

    with limiter.slot(realm_id):
        session.get(...)

A slot is granted only when both budgets allow it, in one Lua script (atomic across processes):

- ``{prefix}:{realm}:rate``  sorted set of request stamps (score = ms); entries older than the
  window are trimmed; a slot adds one entry (the request counts even if it fails).
- ``{prefix}:{realm}:conc``  sorted set of concurrency leases (score = lease expiry, ms); expired
  leases are trimmed before counting, so a worker that crashed inside ``slot()`` frees its seat
  after ``lease_seconds`` at the latest. Leave ``lease_seconds`` above the request timeout.

Time comes from the Redis server (``TIME``), so workers with skewed clocks agree — unless an
`apps.core.clock.Clock` is injected (tests move a manual clock instead of sleeping).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

import redis as redis_lib

from apps.core.clock import REDIS_NOW_LUA, SYSTEM_CLOCK, Clock, now_ms

_ACQUIRE = REDIS_NOW_LUA + """
local rate_key, conc_key = KEYS[1], KEYS[2]
local per_window, max_conc = tonumber(ARGV[1]), tonumber(ARGV[2])
local window_ms, lease_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local token = ARGV[5]
local now = clock_now(ARGV[6])
redis.call('ZREMRANGEBYSCORE', rate_key, '-inf', now - window_ms)
redis.call('ZREMRANGEBYSCORE', conc_key, '-inf', now)
local used = redis.call('ZCARD', rate_key)
if used >= per_window then
  local oldest = redis.call('ZRANGE', rate_key, 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window_ms - now + 1, 1}
end
local active = redis.call('ZCARD', conc_key)
if active >= max_conc then
  local first = redis.call('ZRANGE', conc_key, 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - now + 1, 2}
end
redis.call('ZADD', rate_key, now, token)
redis.call('ZADD', conc_key, now + lease_ms, token)
redis.call('PEXPIRE', rate_key, window_ms + 1000)
redis.call('PEXPIRE', conc_key, lease_ms + 1000)
return {1, 0, 0}
"""


class LimiterTimeout(Exception):
    """No slot became free within ``max_wait`` seconds."""

    def __init__(self, realm: str, waited: float, reason: str) -> None:
        self.realm, self.waited, self.reason = realm, waited, reason
        super().__init__(f"no QBO request slot for realm {realm} after {waited:.2f}s ({reason})")


class Limiter(Protocol):
    """What the QBO client needs from a limiter."""

    def slot(self, realm: str) -> AbstractContextManager[object]: ...


@dataclass(frozen=True)
class LimiterUsage:
    requests_in_window: int
    active_leases: int


class RedisRateLimiter:
    def __init__(
        self,
        redis: redis_lib.Redis | str,
        *,
        per_minute: int = 500,
        concurrent: int = 10,
        window_seconds: float = 60.0,
        lease_seconds: float = 60.0,
        max_wait: float = 30.0,
        prefix: str = "qbo:limit",
        poll_cap: float = 0.25,
        clock: Clock | None = None,
    ) -> None:
        self.redis = redis_lib.Redis.from_url(redis) if isinstance(redis, str) else redis
        self.per_minute = per_minute
        self.concurrent = concurrent
        self.window_ms = int(window_seconds * 1000)
        self.lease_ms = int(lease_seconds * 1000)
        self.max_wait = max_wait
        self.prefix = prefix
        self.poll_cap = poll_cap
        self.clock = clock  # None: the Redis server's time
        self._waits = clock or SYSTEM_CLOCK
        self._acquire = self.redis.register_script(_ACQUIRE)

    def _keys(self, realm: str) -> list[str]:
        base = f"{self.prefix}:{realm}"
        return [f"{base}:rate", f"{base}:conc"]

    def try_acquire(self, realm: str) -> tuple[str | None, float, str]:
        """One attempt. Returns (lease token or None, suggested wait in s, blocking reason)."""
        token = uuid.uuid4().hex
        ok, wait_ms, why = self._acquire(
            keys=self._keys(realm),
            args=[self.per_minute, self.concurrent, self.window_ms, self.lease_ms, token,
                  now_ms(self.clock)],
        )
        if ok:
            return token, 0.0, ""
        return None, max(0, int(wait_ms)) / 1000, "rate" if int(why) == 1 else "concurrency"

    def acquire(self, realm: str, max_wait: float | None = None) -> str:
        """Block until a slot is granted; return its lease token. Raises LimiterTimeout."""
        budget = self.max_wait if max_wait is None else max_wait
        started = self._waits.monotonic()
        while True:
            token, hint, reason = self.try_acquire(realm)
            if token:
                return token
            waited = self._waits.monotonic() - started
            if waited >= budget:
                raise LimiterTimeout(realm, waited, reason)
            # Concurrency seats usually free long before their lease expires: poll briefly.
            # Jitter keeps a herd of waiting workers from retrying in lock step.
            pause = min(hint, self.poll_cap) if hint > 0 else 0.01
            pause = max(0.005, pause * (0.5 + random.random() / 2))
            self._waits.sleep(min(pause, max(0.0, budget - waited) + 0.001))

    def release(self, realm: str, token: str) -> None:
        self.redis.zrem(self._keys(realm)[1], token)

    @contextmanager
    def slot(self, realm: str, max_wait: float | None = None) -> Iterator[str]:
        token = self.acquire(realm, max_wait)
        try:
            yield token
        finally:
            self.release(realm, token)

    def usage(self, realm: str) -> LimiterUsage:
        """Current counts (for staff pages and tests); trims nothing."""
        rate_key, conc_key = self._keys(realm)
        if self.clock is None:
            now_s, now_us = self.redis.time()
            now = now_s * 1000 + now_us // 1000
        else:
            now = now_ms(self.clock)
        return LimiterUsage(
            requests_in_window=self.redis.zcount(rate_key, now - self.window_ms + 1, "+inf"),
            active_leases=self.redis.zcount(conc_key, now + 1, "+inf"),
        )

    def reset(self, realm: str) -> None:
        self.redis.delete(*self._keys(realm))
