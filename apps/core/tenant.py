"""The current business: the one accessor for "which business is this request or task for"."""

from __future__ import annotations

from typing import Any

from django.db import connection

from apps.core.errors import ApplicationError


def current_business(*, error: type[ApplicationError] = ApplicationError,
                     message: str = "No business selected.", code: str | None = None,
                     fresh: bool = False) -> Any:
    """The business whose schema is active, or ``error(message)`` in the public schema.
    ``fresh``: re-read its row (tasks: the worker caches tenant rows between tasks)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        raise error(message, code=code) if code else error(message)
    if fresh:
        return type(tenant).objects.get(pk=tenant.pk)
    return tenant
