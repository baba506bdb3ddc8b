"""Per-page CSP additions for pages that hand the browser to an outside service (Plaid Link's
script and frame, Intuit's sign-in). The sources are computed per request from settings, so a
sandbox on any port works in development and tests; production's own policy already names
exactly Plaid's and Intuit's hosts (checked by `check --deploy`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps


def csp_allowing(sources: Callable[[], dict[str, list[str]]]):
    """Decorate a view: add `sources()` ({directive: [source, ...]}) to its response's CSP."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            update = dict(getattr(response, "_csp_update", None) or {})
            for directive, extra in sources().items():
                update[directive] = [*update.get(directive, []), *extra]
            response._csp_update = update
            return response

        return wrapper

    return decorate
