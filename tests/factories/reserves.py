"""Reserves: money set aside (tenant schema)."""

from __future__ import annotations

from decimal import Decimal

import factory

from apps.reserves.models import Reserve, ReserveEntry

from .base import TenantFactory


class ReserveFactory(TenantFactory):
    class Meta:
        model = Reserve

    name = "Payroll"
    target = Decimal("10000.00")
    held = Decimal("2500.00")


class ReserveEntryFactory(TenantFactory):
    """A movement in a reserve's ledger (positive funds it, negative releases)."""

    class Meta:
        model = ReserveEntry

    reserve = factory.SubFactory(ReserveFactory)
    amount = Decimal("100.00")
    actor_email = "owner@example.test"
