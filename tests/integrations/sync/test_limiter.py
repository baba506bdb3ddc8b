"""Per-realm limiter on real Redis: rolling-window rate, concurrency, leases, processes."""

import multiprocessing
import os
import threading
import time
import uuid

import pytest
import redis
from django.conf import settings

from apps.core.clock import ManualClock
from apps.integrations.sync.limiter import LimiterTimeout, RedisRateLimiter

REDIS_URL = settings.REDIS_URL  # the configured Redis (embedded or REDIS_URL)


@pytest.fixture
def prefix():
    p = f"test:limiter:{uuid.uuid4().hex}"
    yield p
    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter(f"{p}*"):
        r.delete(key)


def make(prefix, **kw):
    return RedisRateLimiter(REDIS_URL, prefix=prefix, **kw)


def test_rate_window_blocks_then_frees(prefix):
    clock = ManualClock()  # waiting moves it: the minute passes in no real time
    lim = make(prefix, per_minute=5, max_wait=0.2, poll_cap=5, clock=clock)
    for _ in range(5):
        with lim.slot("r1"):
            pass
    assert lim.usage("r1").requests_in_window == 5
    with pytest.raises(LimiterTimeout) as exc:
        with lim.slot("r1"):
            pass
    assert exc.value.reason == "rate"
    started = clock.monotonic()
    with lim.slot("r1", max_wait=120):  # waits for the oldest stamp to leave the window
        pass
    assert 59.5 < clock.monotonic() - started < 61
    assert lim.usage("r1").requests_in_window == 1


def test_realms_have_separate_budgets(prefix):
    lim = make(prefix, per_minute=2, max_wait=0)
    for realm in ("a", "b"):
        for _ in range(2):
            assert lim.try_acquire(realm)[0]
    assert lim.try_acquire("a")[0] is None
    assert lim.try_acquire("c")[0]


def test_concurrency_limit_and_release(prefix):
    lim = make(prefix, concurrent=2, max_wait=0.1)
    t1, t2 = lim.acquire("r"), lim.acquire("r")
    token, _, reason = lim.try_acquire("r")
    assert token is None and reason == "concurrency"
    with pytest.raises(LimiterTimeout):
        lim.acquire("r")
    lim.release("r", t1)
    t3 = lim.acquire("r")
    assert lim.usage("r").active_leases == 2
    lim.release("r", t2)
    lim.release("r", t3)
    assert lim.usage("r").active_leases == 0


def test_slot_released_when_body_raises(prefix):
    lim = make(prefix, concurrent=1, max_wait=0.1)
    with pytest.raises(RuntimeError):
        with lim.slot("r"):
            raise RuntimeError("boom")
    with lim.slot("r"):
        pass


def test_threads_never_exceed_concurrency(prefix):
    lim = make(prefix, concurrent=3, max_wait=10)
    lock = threading.Lock()
    state = {"now": 0, "max": 0, "done": 0}

    def work():
        for _ in range(5):
            with lim.slot("r"):
                with lock:
                    state["now"] += 1
                    state["max"] = max(state["max"], state["now"])
                time.sleep(0.01)
                with lock:
                    state["now"] -= 1
                    state["done"] += 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert state["done"] == 40
    assert state["max"] == 3  # reached, never exceeded


def _proc_worker(prefix, n, concurrent):
    lim = RedisRateLimiter(REDIS_URL, prefix=prefix, concurrent=concurrent, max_wait=10)
    r = redis.Redis.from_url(REDIS_URL)
    for _ in range(n):
        with lim.slot("r"):
            r.rpush(f"{prefix}:seen", r.incr(f"{prefix}:inflight"))
            time.sleep(0.01)
            r.decr(f"{prefix}:inflight")


def _proc_try(prefix, tries, per_minute):
    lim = RedisRateLimiter(REDIS_URL, prefix=prefix, per_minute=per_minute, max_wait=0)
    r = redis.Redis.from_url(REDIS_URL)
    for _ in range(tries):
        token, _, _ = lim.try_acquire("r")
        if token:
            r.incr(f"{prefix}:granted")
            lim.release("r", token)


def _proc_crash(prefix, clock):
    lim = RedisRateLimiter(REDIS_URL, prefix=prefix, concurrent=1, lease_seconds=30, clock=clock)
    lim.acquire("r")
    os._exit(1)  # die holding the slot, no finally blocks


@pytest.fixture
def ctx():
    return multiprocessing.get_context("fork")


def test_processes_share_the_concurrency_budget(prefix, ctx):
    procs = [ctx.Process(target=_proc_worker, args=(prefix, 6, 2)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(20)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    r = redis.Redis.from_url(REDIS_URL)
    seen = [int(x) for x in r.lrange(f"{prefix}:seen", 0, -1)]
    assert len(seen) == 24
    assert max(seen) <= 2


def test_processes_share_the_rate_budget_exactly(prefix, ctx):
    procs = [ctx.Process(target=_proc_try, args=(prefix, 8, 10)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(20)
    r = redis.Redis.from_url(REDIS_URL)
    assert int(r.get(f"{prefix}:granted")) == 10


def test_crashed_holder_frees_its_seat_when_the_lease_expires(prefix, ctx):
    clock = ManualClock()  # the child gets a copy at the fork; time moves in the parent only
    p = ctx.Process(target=_proc_crash, args=(prefix, clock))
    p.start()
    p.join(10)
    assert p.exitcode == 1
    lim = make(prefix, concurrent=1, lease_seconds=30, poll_cap=5, clock=clock)
    assert lim.try_acquire("r")[0] is None  # the dead process still holds it
    started = clock.monotonic()
    with lim.slot("r", max_wait=60):
        pass
    assert 29.5 < clock.monotonic() - started < 31  # exactly when its lease ran out
