"""RetryPolicy: exponential backoff, full jitter, Retry-After, deterministic with injected RNG."""

from apps.integrations.retry import NO_RETRY, RetryPolicy


def test_full_jitter_ceiling_doubles_up_to_cap():
    policy = RetryPolicy(base=0.5, cap=3.0, rng=lambda: 1.0)
    assert [policy.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_scales_between_zero_and_ceiling():
    assert RetryPolicy(base=1.0, cap=10, rng=lambda: 0.0).backoff(3) == 0.0
    assert RetryPolicy(base=1.0, cap=10, rng=lambda: 0.25).backoff(3) == 1.0


def test_retry_after_wins_and_is_clamped():
    policy = RetryPolicy(base=1.0, cap=2.0, max_retry_after=10, rng=lambda: 1.0)
    assert policy.backoff(1, retry_after=5) == 5
    assert policy.backoff(1, retry_after=3600) == 10
    assert policy.backoff(1, retry_after=0) == 0


def test_wait_sleeps_the_backoff():
    slept = []
    policy = RetryPolicy(base=0.2, cap=1, rng=lambda: 0.5, sleep=slept.append)
    assert policy.wait(2) == 0.2
    policy.wait(1, retry_after=0)  # zero: no sleep call
    assert slept == [0.2]


def test_no_retry_is_one_attempt():
    assert NO_RETRY.max_attempts == 1
