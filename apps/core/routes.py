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


def switch(prefix: str, name: str, view: Any, arg: str, values: dict[str, Any]) -> list:
    """One view behind several verbs, told which by the keyword `arg`: `<prefix><verb>/` calls
    `view(..., arg=value)` and is named `<name>-<verb>` (e.g. hold/release → hold=True/False)."""
    return [path(f"{prefix}{verb}/", view, {arg: value}, name=f"{name}-{verb}")
            for verb, value in values.items()]


def resource(where: str, names: tuple[str, str], listing: Any = None, detail: Any = None,
             actions: dict[str, Any] | None = None,
             route: Callable[[str, Any, str], Any] | None = None) -> list:
    """The routes of one resource at `where` (e.g. "bills/"): its list (`listing`, named by the
    plural of `names`), one object at `<where><int:pk>/` (`detail`, named by the singular) and
    that object's `actions` (``verbs``, `<singular>-<verb>`). A part given as None is left out."""
    plural, one = names
    build = route or (lambda where, view, called: path(where, view, name=called))
    routes = [build(where, listing, plural)] if listing is not None else []
    if detail is not None:
        routes.append(build(f"{where}<int:pk>/", detail, one))
    return routes + verbs(f"{where}<int:pk>/", one, actions or {}, route=build)
