"""Sync lease lock on real Redis: one holder, owner-only release, expiry, extend."""

import threading
import uuid

import pytest
import redis
from django.conf import settings

from apps.core.clock import ManualClock
from apps.integrations.sync.locks import (
    LeaseLock,
    LockLost,
    LockNotAcquired,
    sync_lock,
    sync_lock_key,
)

REDIS_URL = settings.REDIS_URL  # the configured Redis (embedded or REDIS_URL)


@pytest.fixture
def prefix():
    p = f"test:locks:{uuid.uuid4().hex}:"
    yield p
    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter(f"{p}*"):
        r.delete(key)


def test_key_shape():
    assert sync_lock_key("acme", "qbo") == "sync:acme:qbo"


def test_one_holder_at_a_time(prefix):
    with sync_lock(REDIS_URL, "acme", "qbo", prefix=prefix) as lock:
        assert lock.owned()
        with pytest.raises(LockNotAcquired):
            with sync_lock(REDIS_URL, "acme", "qbo", prefix=prefix):
                pass
        # another source or business is independent
        with sync_lock(REDIS_URL, "acme", "plaid", prefix=prefix):
            pass
        with sync_lock(REDIS_URL, "other", "qbo", prefix=prefix):
            pass
    with sync_lock(REDIS_URL, "acme", "qbo", prefix=prefix):
        pass


def test_only_the_owner_releases(prefix):
    clock = ManualClock()
    a = LeaseLock(REDIS_URL, "sync:x:qbo", ttl=30, prefix=prefix, clock=clock)
    b = LeaseLock(REDIS_URL, "sync:x:qbo", ttl=30, prefix=prefix, clock=clock)
    assert a.acquire()
    clock.advance(29.9)
    assert not b.acquire()
    clock.advance(0.2)  # a's lease expires while it "works"
    assert a.held_by() is None
    assert b.acquire()
    assert a.release() is False  # must not free b's lock
    assert b.owned()
    with pytest.raises(LockLost):
        a.extend()
    assert b.release() is True
    assert b.held_by() is None


def test_extend_keeps_the_lease(prefix):
    clock = ManualClock()
    lock = LeaseLock(REDIS_URL, "sync:y:qbo", ttl=30, prefix=prefix, clock=clock)
    assert lock.acquire()
    for _ in range(3):
        clock.advance(20)  # 60 s in all, twice the ttl
        lock.extend()
    assert lock.owned()
    clock.advance(31)  # no extend: the lease runs out
    assert not lock.owned()
    with pytest.raises(LockLost):
        lock.extend()
    assert lock.release() is False


def test_lease_expires_on_the_redis_clock_without_an_injected_one(prefix):
    """Production judges expiry by the Redis server's TIME (the key's PX collects it too)."""
    a = LeaseLock(REDIS_URL, "sync:w:qbo", ttl=0.05, prefix=prefix)
    assert a.acquire()
    b = LeaseLock(REDIS_URL, "sync:w:qbo", ttl=5, prefix=prefix)
    assert b.acquire(wait=2, poll=0.01)
    assert b.release() and not a.owned()


def test_waiting_acquire_gets_it_after_release(prefix):
    holder = LeaseLock(REDIS_URL, "sync:z:qbo", ttl=5, prefix=prefix)
    assert holder.acquire()
    threading.Timer(0.2, holder.release).start()
    waiter = LeaseLock(REDIS_URL, "sync:z:qbo", ttl=5, prefix=prefix)
    assert waiter.acquire(wait=2)
    waiter.release()


def test_threads_race_one_winner(prefix):
    wins = []

    def race():
        lock = LeaseLock(REDIS_URL, "sync:race:qbo", ttl=5, prefix=prefix)
        if lock.acquire():
            wins.append(lock)

    threads = [threading.Thread(target=race) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    wins[0].release()
