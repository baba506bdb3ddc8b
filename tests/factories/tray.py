"""Prep Tray items (tenant schema)."""

from __future__ import annotations

import factory

from apps.tray.models import TrayItem

from .base import TenantFactory


class TrayItemFactory(TenantFactory):
    class Meta:
        model = TrayItem

    key = factory.Sequence(lambda n: f"test:item:{n}")
    kind = "bill_pay"
    title = factory.Sequence(lambda n: f"Decision {n}")
