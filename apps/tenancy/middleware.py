"""Tenant resolution per request without re-sending a search path the connection already has.

django-tenants' middleware switches the connection to `public` for the host lookup and then to
the business: with TENANT_LIMIT_SET_CALLS each switch still costs a `SET search_path` round trip
on the next query — two per request, before any work. A profile under load put every round trip
at 5–7 ms of waiting. Both are skipped when they would change nothing:

- the host lookup reads public tables, which every path the connection can have already
  includes (`<schema>, public`, or `public`), so it runs on the current path;
- when the request's business is the one the connection's path already names (a worker
  serving the same business again), the path is kept as it is.

Otherwise the switches happen exactly as before. The state is django-tenants' own record of the
path it last set (`search_path_set_schemas`, reset on connect, close and rollback).

The host lookup itself is one prepared statement (domain joined to business, apps.core.rows)
turned into a `Business` the way the ORM would: the ORM's
`Domain.objects.select_related("tenant").get(...)` spent ~0.5 ms CPU per request building the
same SQL, several times what Postgres spends answering it.
"""

from __future__ import annotations

import threading

from django.db import connection
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_model

from apps.core.rows import row_get

_path = threading.local()  # the connection's path when the request arrived


def business_for_host(domain_model, hostname: str):
    """The business whose domain is `hostname` (what django-tenants' lookup returns)."""
    business = row_get(get_tenant_model(), "d.domain = %s", [hostname],
                       join=f"JOIN {domain_model._meta.db_table} d ON d.tenant_id = t.id")
    if business is None:
        raise domain_model.DoesNotExist(f"No domain {hostname!r}")
    return business


class TenantMiddleware(TenantMainMiddleware):
    def process_request(self, request):
        _path.before = connection.search_path_set_schemas
        try:
            response = super().process_request(request)
        finally:
            before, _path.before = _path.before, None
        if response is None and before and list(before) == connection._get_cursor_search_paths():
            connection.search_path_set_schemas = before  # already the business's path
        return response

    def get_tenant(self, domain_model, hostname):
        before = getattr(_path, "before", None)
        if before and get_public_schema_name() in before:
            connection.search_path_set_schemas = before  # public tables are on it: no SET
        return business_for_host(domain_model, hostname)
