"""Switchable faults and QBO limits, parsed from a SPEC string such as
`latency=20,error503=0.1,timeout=0.05,drop=0.1,throttle=0.05,limits=off,seed=1`."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

RATE_KEYS = ("error503", "error500", "timeout", "drop", "throttle")


@dataclass(frozen=True)
class FaultSpec:
    latency: float = 0.0  # ms added to every API call
    jitter: float = 0.0  # ms, uniform 0..jitter on top of latency
    error503: float = 0.0
    error500: float = 0.0
    timeout: float = 0.0  # probability: hold, apply nothing, close without answer
    hold: float = 30.0  # seconds a timed-out request is held
    drop: float = 0.0  # probability: apply, then close without answer
    throttle: float = 0.0  # probability of a 429 burst
    burst: int = 1  # 429s per burst
    limits: bool = True  # QBO's per-realm limits
    rate: int = 500  # requests per window
    window: float = 60.0  # seconds
    concurrency: int = 10  # in flight per realm
    batch_rate: int = 40  # batch calls per window
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_spec(self) -> str:
        default = FaultSpec()
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                if isinstance(value, bool):
                    value = "on" if value else "off"
                parts.append(f"{f.name}={value}")
        return ",".join(parts)


def _coerce(name: str, raw: Any) -> Any:
    kinds = {f.name: f.type for f in fields(FaultSpec)}
    if name not in kinds:
        raise ValueError(f"unknown fault key {name!r} (known: {', '.join(kinds)})")
    kind = kinds[name]
    text = str(raw).strip().lower()
    if kind == "bool":
        if text in ("on", "true", "1", "yes"):
            return True
        if text in ("off", "false", "0", "no"):
            return False
        raise ValueError(f"{name} must be on or off, got {raw!r}")
    if kind == "int":
        return int(text)
    if kind == "int | None":
        return None if text in ("", "none") else int(text)
    value = float(text)
    if name in RATE_KEYS and not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} is a probability between 0 and 1, got {raw!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative")
    return value


def parse_fault_spec(
    spec: str | dict | FaultSpec | None, base: FaultSpec | None = None
) -> FaultSpec:
    """A FaultSpec from `k=v,k=v` text or a dict, on top of `base` (default: no faults)."""
    base = base or FaultSpec()
    if spec is None or spec == "":
        return base
    if isinstance(spec, FaultSpec):
        return spec
    if isinstance(spec, str):
        items: dict[str, Any] = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise ValueError(f"fault spec item {part!r} is not key=value")
            key, value = part.split("=", 1)
            items[key.strip()] = value
        spec = items
    return replace(base, **{key: _coerce(key, value) for key, value in spec.items()})


class FaultInjector:
    """Decides, with a seedable RNG, which fault (if any) hits a request."""

    def __init__(self, spec: FaultSpec) -> None:
        self.lock = threading.Lock()
        self.initial = spec
        self.set(spec)

    def set(self, spec: FaultSpec) -> None:
        with self.lock:
            self.spec = spec
            self.rng = random.Random(spec.seed)
            self.burst_left = 0

    def reset(self) -> None:
        self.set(self.initial)

    def delay_seconds(self) -> float:
        with self.lock:
            spec = self.spec
            extra = self.rng.uniform(0, spec.jitter) if spec.jitter else 0.0
        return (spec.latency + extra) / 1000.0

    def pick(self) -> str | None:
        """One of 'throttle', 'error503', 'error500', 'timeout', 'drop' or None."""
        with self.lock:
            spec = self.spec
            if self.burst_left > 0:
                self.burst_left -= 1
                return "throttle"
            roll = self.rng.random()
            for name in ("throttle", "error503", "error500", "timeout", "drop"):
                chance = getattr(spec, name)
                if roll < chance:
                    if name == "throttle":
                        self.burst_left = max(0, spec.burst - 1)
                    return name
                roll -= chance
            return None
