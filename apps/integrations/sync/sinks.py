"""Where synced QBO data goes: handlers registered by the domain apps (dependency inversion).

The sync engine (layer 2) must not import ap/ar/bank (layer 3). Each domain app registers, in
its ``AppConfig.ready()``:

- an **ingest sink** per QBO entity: ``register_sink("Bill", bills_ingest)``; the engine hands it
  one page (≤ 1000) of parsed DTOs (and ``Deleted`` markers) and it upserts them in bulk;
- a **finaliser**: derived fields recomputed after a sync (``Bill.status``, ``Invoice.paid_date``);
- an **after-action hook** per outbox kind: what the domain does once a write to QBO succeeded
  (e.g. re-read the bill so its balance is current).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SinkContext:
    """What a sink needs to know besides the DTOs. The schema is already the business's."""

    business: Any
    realm_id: str
    client: Any = None  # the QboClient, for hooks that must read more from QBO
    # Sinks fill this: the QBO ids they touched per entity (finalisers use it).
    touched: dict[str, set[str]] = field(default_factory=dict)

    def touch(self, entity: str, ids: Any) -> None:
        self.touched.setdefault(entity, set()).update(ids)


@dataclass
class SinkResult:
    """``stored``: how many rows were written; ``rejected``: {qbo_id: reason} to quarantine."""

    stored: int = 0
    rejected: dict[str, str] = field(default_factory=dict)


Sink = Callable[[SinkContext, list[Any]], SinkResult]
Finaliser = Callable[[SinkContext, bool], None]  # (ctx, full_sync)
AfterAction = Callable[[SinkContext, Any], None]  # (ctx, action)

_SINKS: dict[str, Sink] = {}
_FINALISERS: list[Finaliser] = []
_AFTER_ACTION: dict[str, list[AfterAction]] = {}


def register_sink(entity: str, handler: Sink) -> None:
    """One sink per entity; registering again replaces it (app reloads, tests)."""
    _SINKS[entity] = handler


def sink_for(entity: str) -> Sink | None:
    return _SINKS.get(entity)


def registered_entities() -> set[str]:
    return set(_SINKS)


def register_finaliser(handler: Finaliser) -> None:
    if handler not in _FINALISERS:
        _FINALISERS.append(handler)


def finalisers() -> list[Finaliser]:
    return list(_FINALISERS)


def register_after_action(kind: str, handler: AfterAction) -> None:
    handlers = _AFTER_ACTION.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)


def after_action_hooks(kind: str) -> list[AfterAction]:
    return list(_AFTER_ACTION.get(kind, []))
