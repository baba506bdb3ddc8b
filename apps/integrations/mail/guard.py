"""A webhook body that passed anymail's authentication but cannot be read is the sender's
mistake, not ours: answer 400 (anymail's validation failure) instead of crashing with a 500.

anymail's parsers index straight into the JSON (``esp_event["RecordType"]``), so a body that is
not JSON, or JSON of the wrong shape, raises ValueError/TypeError/KeyError/AttributeError.
"""

from __future__ import annotations

from typing import Any

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from django.urls import URLPattern, URLResolver

# AnymailConfigurationError: e.g. a tracking event posted to the inbound URL — the body decides,
# so it is the caller's 400 (still logged by django.security with the reason).
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError,
              AnymailConfigurationError)


class UnreadableBodyIs400:
    """Mixin for an anymail webhook view (put it first in the bases)."""

    def parse_events(self, request: Any) -> list:
        try:
            return super().parse_events(request)  # type: ignore[misc]
        except UNREADABLE as exc:
            raise AnymailWebhookValidationFailure(
                f"unreadable {getattr(self, 'esp_name', 'webhook')} body "
                f"({type(exc).__name__})"
            ) from exc


_guarded: dict[type, type] = {}


def guarded(view_class: type) -> type:
    """``view_class`` with the mixin, created once per class."""
    if issubclass(view_class, UnreadableBodyIs400):
        return view_class
    if view_class not in _guarded:
        _guarded[view_class] = type(view_class.__name__, (UnreadableBodyIs400, view_class), {
            "__module__": __name__, "__doc__": view_class.__doc__})
    return _guarded[view_class]


def guard_patterns(patterns: list) -> list:
    """anymail's URL patterns with every webhook view guarded (same routes and names)."""
    out: list = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out.append(p)
            continue
        view_class = getattr(p.callback, "view_class", None)
        if not isinstance(p, URLPattern) or view_class is None:
            out.append(p)
            continue
        view = guarded(view_class).as_view(**p.callback.view_initkwargs)
        out.append(URLPattern(p.pattern, view, p.default_args, p.name))
    return out
