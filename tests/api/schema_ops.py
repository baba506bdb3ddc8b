"""The API's operations, read from its OpenAPI schema (not a hand list), for the isolation,
twin and fuzz tests."""

from __future__ import annotations

import re
from functools import cache

from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def api_schema() -> dict:
    return SchemaGenerator(urlconf="oodaloo.urls_tenant").get_schema(request=None, public=True)


def operations() -> list[tuple[str, str]]:
    """(method, path template) of every operation, e.g. ("post", "/api/v1/bills/{id}/hold/")."""
    return [(method, path) for path, item in api_schema()["paths"].items()
            for method in METHODS if method in item]


def id_operations() -> list[tuple[str, str]]:
    """Operations on one object (an integer `{id}` in the path)."""
    return [(m, p) for m, p in operations() if "{id}" in p]


def resource_of(path: str) -> str:
    """`/api/v1/bills/{id}/hold/` → `bills`; `/api/v1/collections/steps/{id}/` → `steps`."""
    before = path.split("{id}")[0].rstrip("/")
    return re.sub(r".*/", "", before)
