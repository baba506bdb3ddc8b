"""Switchable faults: latency, random 500s, random rate limits, forced pagination mutation.

SPEC is `key=value` pairs separated by commas, e.g. `latency=20,error500=0.1,ratelimit=0.05,seed=1`.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field

KNOWN_KEYS = ("latency", "error500", "ratelimit", "seed", "mutation", "sync_per_min")


class FaultSpecError(ValueError):
    pass


@dataclass
class FaultSettings:
    latency_ms: int = 0
    error500: float = 0.0
    ratelimit: float = 0.0
    seed: int | None = None
    # Number of upcoming continuation pages of /transactions/sync that fail with
    # TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION.
    mutation: int = 0
    # Per-item cap on /transactions/sync calls per minute (0 = off).
    sync_per_min: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "latency": self.latency_ms,
            "error500": self.error500,
            "ratelimit": self.ratelimit,
            "seed": self.seed,
            "mutation": self.mutation,
            "sync_per_min": self.sync_per_min,
        }


def _rate(key: str, raw: object) -> float:
    value = float(raw)  # a probability, not money
    if not 0.0 <= value <= 1.0:
        raise FaultSpecError(f"{key} must be between 0 and 1, got {raw!r}")
    return value


def _count(key: str, raw: object) -> int:
    try:
        value = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise FaultSpecError(f"{key} must be an integer, got {raw!r}") from exc
    if value < 0:
        raise FaultSpecError(f"{key} must not be negative, got {raw!r}")
    return value


def parse_spec(
    spec: str | dict[str, object] | None, base: FaultSettings | None = None
) -> FaultSettings:
    """Parse a SPEC string or dict on top of `base` (unknown keys are an error)."""
    settings = FaultSettings(**vars(base)) if base else FaultSettings()
    if not spec:
        return settings
    if isinstance(spec, str):
        pairs: dict[str, object] = {}
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise FaultSpecError(f"fault {part!r} is not key=value")
            key, value = part.split("=", 1)
            pairs[key.strip()] = value.strip()
    else:
        pairs = dict(spec)
    for key, value in pairs.items():
        if key == "latency":
            settings.latency_ms = _count(key, value)
        elif key in ("error500", "ratelimit"):
            setattr(settings, key, _rate(key, value))
        elif key == "seed":
            settings.seed = None if value in (None, "") else _count(key, value)
        elif key == "mutation":
            settings.mutation = _count(key, value)
        elif key == "sync_per_min":
            settings.sync_per_min = _count(key, value)
        else:
            raise FaultSpecError(f"unknown fault {key!r}; known: {', '.join(KNOWN_KEYS)}")
    return settings


@dataclass
class FaultInjector:
    settings: FaultSettings = field(default_factory=FaultSettings)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.settings.seed)
        self._sync_calls: dict[str, deque[float]] = {}
        self.injected: dict[str, int] = {"error500": 0, "ratelimit": 0, "mutation": 0}

    def configure(self, settings: FaultSettings) -> None:
        with self._lock:
            reseed = settings.seed != self.settings.seed
            self.settings = settings
            if reseed:
                self._random = random.Random(settings.seed)

    def sleep_latency(self) -> None:
        if self.settings.latency_ms:
            time.sleep(self.settings.latency_ms / 1000)

    def roll(self) -> str | None:
        """Decide a random fault for one Plaid request: 'error500', 'ratelimit' or None."""
        with self._lock:
            draw = self._random.random()
            if draw < self.settings.error500:
                self.injected["error500"] += 1
                return "error500"
            if draw < self.settings.error500 + self.settings.ratelimit:
                self.injected["ratelimit"] += 1
                return "ratelimit"
            return None

    def take_mutation(self) -> bool:
        with self._lock:
            if self.settings.mutation > 0:
                self.settings.mutation -= 1
                self.injected["mutation"] += 1
                return True
            return False

    def sync_allowed(self, item_id: str) -> bool:
        """Sliding one-minute window per item, as Plaid's per-Item limits behave."""
        limit = self.settings.sync_per_min
        if not limit:
            return True
        now = time.monotonic()
        with self._lock:
            calls = self._sync_calls.setdefault(item_id, deque())
            while calls and calls[0] <= now - 60:
                calls.popleft()
            if len(calls) >= limit:
                self.injected["ratelimit"] += 1
                return False
            calls.append(now)
            return True
