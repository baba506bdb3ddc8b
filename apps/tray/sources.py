"""Cause sources from the layers above the tray (apps/automation's held-back rules): the tray
cannot import them, so each registers a function at start-up (`AppConfig.ready`) that returns
its causes — dicts with the `Candidate` fields — in the business's schema."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

CauseSource = Callable[[Any, date], list[dict[str, Any]]]

_SOURCES: dict[str, CauseSource] = {}


def tray_source_register(name: str, source: CauseSource) -> None:
    """Register (or replace, on a reload) the cause source called `name`."""
    _SOURCES[name] = source


def tray_sources() -> list[tuple[str, CauseSource]]:
    return sorted(_SOURCES.items())
