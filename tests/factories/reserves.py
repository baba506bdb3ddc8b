"""Reserves: money set aside (tenant schema)."""

from __future__ import annotations

from decimal import Decimal

from apps.reserves.models import Reserve

from .base import TenantFactory


class ReserveFactory(TenantFactory):
    class Meta:
        model = Reserve

    name = "Payroll"
    target = Decimal("10000.00")
    held = Decimal("2500.00")
