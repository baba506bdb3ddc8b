"""Hook points: the one way a lower layer calls code above it (docs/architecture.md, "Wiring
order").

A point is a name (``"sync.sink"``, ``"tray.causes"`` …) holding an ordered list of plugged
values, each under an optional key (a sink's QBO entity, an outbox kind). The lower layer asks
``plugged(point)`` and never imports the code above. Everything is plugged in ONE module,
``oodaloo/wiring.py``, in the order it runs; ``oodaloo.apps.WiringConfig`` (last in
INSTALLED_APPS) installs it once every app is loaded.
"""

from __future__ import annotations

from typing import Any

_POINTS: dict[str, list[tuple[str, Any]]] = {}


class HookMissing(LookupError):
    """A point that must have exactly one value has none (the wiring was not installed)."""


def plug(point: str, value: Any, *, key: str = "", replace: bool = False) -> None:
    """Add ``value`` at the end of ``point`` (under ``key``). Idempotent: the same value twice
    is kept once. ``replace``: the key holds one value, a new one takes the old one's place."""
    entries = _POINTS.setdefault(point, [])
    if replace:
        entries[:] = [(k, v) for k, v in entries if k != key]
    if (key, value) not in entries:
        entries.append((key, value))


def plugged(point: str, key: str | None = None) -> list[Any]:
    """The values of ``point`` in wiring order (only those under ``key`` when it is given)."""
    return [v for k, v in _POINTS.get(point, []) if key is None or k == key]


def keys(point: str) -> list[str]:
    return list(dict.fromkeys(k for k, _ in _POINTS.get(point, [])))


def one(point: str, key: str = "") -> Any:
    """The single value of ``point`` (under ``key``), or HookMissing."""
    values = plugged(point, key)
    if not values:
        raise HookMissing(f"nothing is plugged into {point!r}{f' for {key!r}' if key else ''}")
    return values[-1]

