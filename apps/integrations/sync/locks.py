"""A Redis lease lock: one sync at a time per business and source.

The key is ``sync:{schema}:{source}`` (DESIGN §6). The lock is a lease: it expires after
``ttl`` seconds so a crashed worker cannot block a business forever; a long sync calls
``extend()`` between pages. Release and extend succeed only for the owner token (checked in
Lua), so a worker whose lease already expired cannot free a lock another worker now holds.
Expiry is judged by the Redis server's clock, or by an injected `apps.core.clock.Clock` (tests).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis as redis_lib

from apps.core.clock import REDIS_NOW_LUA, SYSTEM_CLOCK, Clock, now_ms

# The value is "token|expires_ms". Expiry is judged against `now` (the injected clock, else the
# Redis server's TIME); the key's own PX expiry only collects the garbage of dead holders.
_HOLDER = REDIS_NOW_LUA + """
local function live_token(key, now)
  local v = redis.call('GET', key)
  if not v then return nil end
  local token, expires = string.match(v, '^(.*)|(%d+)$')
  if token and tonumber(expires) > now then return token end
  return nil
end
"""

_ACQUIRE = _HOLDER + """
local now, ttl = clock_now(ARGV[3]), tonumber(ARGV[2])
if live_token(KEYS[1], now) then return 0 end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. (now + ttl), 'PX', ttl)
return 1
"""

_EXTEND = _HOLDER + """
local now, ttl = clock_now(ARGV[3]), tonumber(ARGV[2])
if live_token(KEYS[1], now) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. (now + ttl), 'PX', ttl)
return 1
"""

_RELEASE = _HOLDER + """
if live_token(KEYS[1], clock_now(ARGV[2])) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""

_PEEK = _HOLDER + """
return live_token(KEYS[1], clock_now(ARGV[1]))
"""


class LockNotAcquired(Exception):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"lock {key} is held by another worker")


class LockLost(Exception):
    """The lease expired and (maybe) someone else took the lock."""


def sync_lock_key(schema: str, source: str) -> str:
    return f"sync:{schema}:{source}"


class LeaseLock:
    def __init__(
        self,
        redis: redis_lib.Redis | str,
        key: str,
        *,
        ttl: float = 900.0,
        prefix: str = "",
        clock: Clock | None = None,
    ) -> None:
        self.redis = redis_lib.Redis.from_url(redis) if isinstance(redis, str) else redis
        self.key = f"{prefix}{key}"
        self.ttl_ms = int(ttl * 1000)
        self.token: str | None = None
        self.clock = clock  # None: the Redis server's time judges expiry
        self._waits = clock or SYSTEM_CLOCK
        self._acquire = self.redis.register_script(_ACQUIRE)
        self._release = self.redis.register_script(_RELEASE)
        self._extend = self.redis.register_script(_EXTEND)
        self._peek = self.redis.register_script(_PEEK)

    def _now(self) -> int:
        return now_ms(self.clock)

    def acquire(self, *, wait: float = 0.0, poll: float = 0.05) -> bool:
        """Take the lock; with ``wait`` > 0 keep trying that long. Returns success."""
        token = uuid.uuid4().hex
        deadline = self._waits.monotonic() + wait
        while True:
            if self._acquire(keys=[self.key], args=[token, self.ttl_ms, self._now()]):
                self.token = token
                return True
            if self._waits.monotonic() >= deadline:
                return False
            self._waits.sleep(poll)

    def extend(self, ttl: float | None = None) -> None:
        """Renew the lease; raises LockLost when we no longer own it."""
        ms = self.ttl_ms if ttl is None else int(ttl * 1000)
        if not self.token or not self._extend(keys=[self.key], args=[self.token, ms, self._now()]):
            raise LockLost(self.key)

    def release(self) -> bool:
        """Free the lock if we still own it. Returns False when the lease had been lost."""
        if not self.token:
            return False
        released = bool(self._release(keys=[self.key], args=[self.token, self._now()]))
        self.token = None
        return released

    def held_by(self) -> str | None:
        """The live holder's token (an expired lease has no holder)."""
        value = self._peek(keys=[self.key], args=[self._now()])
        return value.decode() if isinstance(value, bytes) else value

    def owned(self) -> bool:
        return self.token is not None and self.held_by() == self.token


@contextmanager
def sync_lock(
    redis: redis_lib.Redis | str,
    schema: str,
    source: str,
    *,
    ttl: float = 900.0,
    wait: float = 0.0,
    prefix: str = "",
    clock: Clock | None = None,
) -> Iterator[LeaseLock]:
    """``with sync_lock(r, schema, "qbo") as lock:`` — raises LockNotAcquired when busy."""
    lock = LeaseLock(redis, sync_lock_key(schema, source), ttl=ttl, prefix=prefix, clock=clock)
    if not lock.acquire(wait=wait):
        raise LockNotAcquired(lock.key)
    try:
        yield lock
    finally:
        lock.release()
