"""Where synced QBO data goes: handlers of the domain apps, plugged in ``oodaloo/wiring.py``
(dependency inversion through the kernel's hook points, ``apps/core/hooks.py``).

The sync engine (layer 2) must not import ap/ar/bank (layer 3). The wiring plugs:

- an **ingest sink** per QBO entity (``SINK``, keyed by the entity, e.g. ``Bill``); the engine
  hands it one page (≤ 1000) of parsed DTOs (and ``Deleted`` markers) and it upserts them in bulk;
- a **finaliser**: derived fields recomputed after a sync (``Bill.status``, ``Invoice.paid_date``);
- an **after-action hook** per outbox kind: what the domain does once a write to QBO succeeded
  (e.g. re-read the bill so its balance is current);
- an **after-failure hook** per outbox kind: what the domain undoes once QBO definitely refused
  a write (e.g. the placeholder bill of a refused ``bill.create`` leaves the books).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.core import hooks


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
AfterFailure = Callable[[SinkContext, Any], None]  # (ctx, action); the reason is action.error

# The values live at the kernel's hook points; `oodaloo/wiring.py` plugs them, in order.
SINK, FINALISER, AFTER_ACTION = "sync.sink", "sync.finaliser", "sync.after_action"
AFTER_FAILURE = "sync.after_failure"


def sink_for(entity: str) -> Sink | None:
    found = hooks.plugged(SINK, entity)
    return found[-1] if found else None


def registered_entities() -> set[str]:
    return set(hooks.keys(SINK))


def finalisers() -> list[Finaliser]:
    return hooks.plugged(FINALISER)


def after_action_hooks(kind: str) -> list[AfterAction]:
    return hooks.plugged(AFTER_ACTION, kind)


def after_failure_hooks(kind: str) -> list[AfterFailure]:
    return hooks.plugged(AFTER_FAILURE, kind)
