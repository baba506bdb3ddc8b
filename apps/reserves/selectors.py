"""Read helpers for reserves (call inside the business's schema)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from apps.reserves.models import Reserve, ReserveEntry


def reserves_active():
    return Reserve.objects.filter(active=True)


def reserved_total() -> Decimal:
    """Money held by active reserves (the runway's Reserved)."""
    total = reserves_active().aggregate(total=Sum("held"))["total"]
    return total if total is not None else Decimal("0.00")


def reserve_entries(reserve: Reserve, *, limit: int = 50):
    """The ledger of a reserve, newest first."""
    return ReserveEntry.objects.filter(reserve=reserve)[:limit]
