"""URL enumeration shared by the isolation drill and tests."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

DUMMY = {"int": "1", "slug": "x", "str": "x", "path": "x",
         "uuid": "00000000-0000-0000-0000-000000000001"}


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def concrete(route: str) -> str:
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY.get(m.group(1) or "str", "1"), route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = route.lstrip("^").rstrip("$").replace("\\", "")
    return "/" + route


def access_of(view):
    return getattr(view, "oodaloo_access", None) or getattr(
        getattr(view, "cls", None), "oodaloo_access", None
    )


def tenant_routes():
    return list(walk(get_resolver("oodaloo.urls_tenant").url_patterns))


def public_routes():
    return list(walk(get_resolver("oodaloo.urls_public").url_patterns))
