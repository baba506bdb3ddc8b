"""QBO's per-realm limits: requests per window, batch calls per window, and in-flight calls."""

from __future__ import annotations

import threading
from collections import deque

from apps.core.clock import SYSTEM_CLOCK, Clock


class RealmLimiter:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SYSTEM_CLOCK  # the sandbox's clock: tests move it past a window
        self.lock = threading.Lock()
        self.calls: deque[float] = deque()
        self.batches: deque[float] = deque()
        self.in_flight = 0
        self.max_in_flight = 0

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.batches.clear()

    def enter(self, *, enforce: bool, concurrency: int) -> bool:
        """Take an in-flight slot; False (and nothing taken) when over the concurrency cap."""
        with self.lock:
            if enforce and self.in_flight >= concurrency:
                return False
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return True

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def admit(
        self, *, cost: int, is_batch: bool, rate: int, batch_rate: int, window: float
    ) -> bool:
        """Count `cost` calls in the sliding window; False when that would pass a limit."""
        now = self.clock.monotonic()
        with self.lock:
            for queue in (self.calls, self.batches):
                while queue and queue[0] <= now - window:
                    queue.popleft()
            if len(self.calls) + cost > rate:
                return False
            if is_batch and len(self.batches) + 1 > batch_rate:
                return False
            self.calls.extend([now] * cost)
            if is_batch:
                self.batches.append(now)
            return True
