"""A Redis lease lock: one sync at a time per business and source.

The key is ``sync:{schema}:{source}`` (DESIGN §6). The lock is a lease: it expires after
``ttl`` seconds so a crashed worker cannot block a business forever; a long sync calls
``extend()`` between pages. Release and extend succeed only for the owner token (checked in
Lua), so a worker whose lease already expired cannot free a lock another worker now holds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis as redis_lib

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
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
    ) -> None:
        self.redis = redis_lib.Redis.from_url(redis) if isinstance(redis, str) else redis
        self.key = f"{prefix}{key}"
        self.ttl_ms = int(ttl * 1000)
        self.token: str | None = None
        self._release = self.redis.register_script(_RELEASE)
        self._extend = self.redis.register_script(_EXTEND)

    def acquire(self, *, wait: float = 0.0, poll: float = 0.05) -> bool:
        """Take the lock; with ``wait`` > 0 keep trying that long. Returns success."""
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while True:
            if self.redis.set(self.key, token, nx=True, px=self.ttl_ms):
                self.token = token
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)

    def extend(self, ttl: float | None = None) -> None:
        """Renew the lease; raises LockLost when we no longer own it."""
        ms = self.ttl_ms if ttl is None else int(ttl * 1000)
        if not self.token or not self._extend(keys=[self.key], args=[self.token, ms]):
            raise LockLost(self.key)

    def release(self) -> bool:
        """Free the lock if we still own it. Returns False when the lease had been lost."""
        if not self.token:
            return False
        released = bool(self._release(keys=[self.key], args=[self.token]))
        self.token = None
        return released

    def held_by(self) -> str | None:
        value = self.redis.get(self.key)
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
) -> Iterator[LeaseLock]:
    """``with sync_lock(r, schema, "qbo") as lock:`` — raises LockNotAcquired when busy."""
    lock = LeaseLock(redis, sync_lock_key(schema, source), ttl=ttl, prefix=prefix)
    if not lock.acquire(wait=wait):
        raise LockNotAcquired(lock.key)
    try:
        yield lock
    finally:
        lock.release()
