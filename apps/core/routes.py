"""Route tables: the actions of one resource share their path and their URL names' stem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import path


def verbs(prefix: str, name: str, views: dict[str, Any],
          route: Callable[[str, Any, str], Any] | None = None) -> list:
    """One route per verb: `<prefix><verb>/` → its view, named `<name>-<verb>`. `route(path,
    view, name)` builds each (default: Django's `path`)."""
    build = route or (lambda where, view, called: path(where, view, name=called))
    return [build(f"{prefix}{verb}/", view, f"{name}-{verb}") for verb, view in views.items()]
