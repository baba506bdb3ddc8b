"""Retry policy: exponential backoff with full jitter, honouring Retry-After.

Pure: the random source and the sleep function are injectable so tests are deterministic.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a transient failure.

    ``max_attempts`` counts the first try (3 means "try, then retry twice").
    Delay before retry n (n = 1, 2, ...) is uniform in [0, min(cap, base * 2**(n-1))]
    ("full jitter", AWS architecture blog), or exactly Retry-After when the server sent
    one (clamped to ``max_retry_after`` so a hostile header cannot park a worker).
    """

    max_attempts: int = 4
    base: float = 0.5
    cap: float = 8.0
    max_retry_after: float = 60.0
    rng: Callable[[], float] = field(default=random.random, compare=False, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def backoff(self, retry_number: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based)."""
        if retry_after is not None:
            return max(0.0, min(retry_after, self.max_retry_after))
        ceiling = min(self.cap, self.base * (2 ** max(0, retry_number - 1)))
        return ceiling * self.rng()

    def wait(self, retry_number: int, retry_after: float | None = None) -> float:
        delay = self.backoff(retry_number, retry_after)
        if delay > 0:
            self.sleep(delay)
        return delay


NO_RETRY = RetryPolicy(max_attempts=1)
