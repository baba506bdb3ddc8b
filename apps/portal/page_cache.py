"""Rendered fragments of the busiest pages (dashboard, tray, bills, invoices), cached per
business and keyed by what they show, so a page view costs a few cache reads, not its queries
and its template work.

Valid for: the business's *data version* (bumped by every writer of the books: sync, actions,
reserves — apps.core.services.data_version) and *pages version* (bumped by tray changes, action
state changes and any unsafe request on the business's host: see `PagesVersionMiddleware`),
stored with the fragment and compared on every read (one MGET: both versions and the fragment).
Key: business schema, fragment name, the member's role (buttons differ), the business-local
date (due/overdue marks), the currency, HTMX or not, and the full path with its query string.
A changed version makes the stored copy stale, never an invalidation race; the TTL only bounds
memory.

Views hand the template *deferred* values (memoised callables: Django templates call a
callable when they resolve it), so on a hit the queries behind them never run.

CSRF: forms inside a fragment carry the viewer's token. It is stored as a placeholder and
swapped for the current request's token on every read, so no token is ever shared.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe

from apps.core.services.data_version import pages_changed, versions
from apps.portal.common import is_htmx, today_for

TTL = 10 * 60  # seconds; stale entries are never read (keys move on), this only frees memory
CSRF_PLACEHOLDER = "__oodaloo_csrf_token__"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def deferred(build: Callable[[], dict[str, Any]], *names: str) -> dict[str, Callable[[], Any]]:
    """Context entries computed together by `build`, only if a template asks for one."""
    memo = functools.cache(build)
    return {name: functools.partial(lambda n: memo()[n], name) for name in names}


@functools.cache
def templates_version() -> str:
    """Changes when any template file does, so a deploy never serves fragments rendered by the
    templates it replaced (the data versions alone would keep them). Computed once per process
    from the template files' names and modification times: every worker of one deploy agrees."""
    digest = hashlib.blake2b(digest_size=6)
    for folder in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(folder).rglob("*.html")):
            digest.update(f"{path}:{path.stat().st_mtime_ns}".encode())
    return digest.hexdigest()


def fragment_key(request: Any, name: str) -> str:
    """Everything the fragment depends on but the versions (stored with the fragment)."""
    business = request.business
    role = request.membership.role if request.membership is not None else "-"
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=12).hexdigest()
    return (f"page:{templates_version()}:{business.schema_name}:{name}:{role}:"
            f"{today_for(request).isoformat()}:{business.currency or 'USD'}:"
            f"{int(is_htmx(request))}:{path}")


def cached_fragment(request: Any, name: str, render: Callable[[], str], csrf_token: Any) -> str:
    """The fragment's HTML from the cache, or rendered now and stored.

    The fragment is stored with the versions it was rendered at and read in the same round
    trip as the current versions: equal → a hit; else it is rendered again. Versions are read
    before rendering, so a write during the render leaves the stored copy already stale."""
    if not settings.PAGE_CACHE or request is None or getattr(request, "business", None) is None:
        return render()
    key = fragment_key(request, name)
    data_v, pages_v, found = versions(request.business, key)
    stored = found.get(key)
    if stored is not None and stored[0] == (data_v, pages_v):
        html = stored[1]
        if CSRF_PLACEHOLDER in html:
            html = html.replace(CSRF_PLACEHOLDER, str(csrf_token))
        return mark_safe(html)  # noqa: S308 (rendered by our templates, escaped there)
    html = str(render())
    token = str(csrf_token) if csrf_token else ""
    kept = html.replace(token, CSRF_PLACEHOLDER) if token else html
    cache.set(key, ((data_v, pages_v), kept), TTL)
    return mark_safe(html)  # noqa: S308


class PagesVersionMiddleware:
    """Any unsafe request on a business's host may change what its pages show (a tray
    decision, a setting, a new action): bump the pages version after it, whatever it answered.
    Cheaper than listing every writer, and it cannot forget one added later."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        if request.method not in SAFE_METHODS and tenant is not None and (
            tenant.schema_name != "public"
        ):
            pages_changed(tenant)
        return response
