"""A business reconnected to another QuickBooks company: the old company's rows leave the books.

Synced rows are keyed by (realm, QBO id) and no runway selector looks at the realm, so rows of
the company connected before would keep counting (cash, open bills, invoices) next to the new
company's. They are marked deleted, like a delete in QBO (kept for history); the owner's own
rows pointing at them (overrides, reserves) stay. A full sync then brings the new company.
"""

from __future__ import annotations

from django.apps import apps
from django_tenants.utils import tenant_context

from apps.core.synced import QboSyncedModel
from apps.tenancy.models import Business


def synced_models() -> list[type[QboSyncedModel]]:
    """Every concrete model mirrored from QBO (they all share ``QboSyncedModel``)."""
    return [m for m in apps.get_models() if issubclass(m, QboSyncedModel)]


def other_companies_retire(business: Business, realm_id: str) -> dict[str, int]:
    """Mark every live synced row of ``business`` that is not of ``realm_id`` deleted; returns
    {model: rows}. Runs in the caller's transaction (the connection change)."""
    retired: dict[str, int] = {}
    with tenant_context(business):
        for model in synced_models():
            # QuerySet.update leaves synced_at alone: it still says when QBO last sent the row.
            count = (model._base_manager.exclude(realm_id=realm_id)
                     .filter(is_deleted=False).update(is_deleted=True))
            if count:
                retired[model.__name__] = count
    return retired
