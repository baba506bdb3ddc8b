"""Tray causes of reserves: one below its target (plugged in ``oodaloo/wiring.py``; contract
in ``apps/core/tray_causes.py``)."""

from __future__ import annotations

from apps.core.money import format_money
from apps.core.tray_causes import TrayCause, TrayContext, TrayKind, cash_impact
from apps.reserves.models import Reserve

RESERVE_FUND = TrayKind("reserve_fund", "Reserve below target")


def reserve_causes(ctx: TrayContext) -> list[TrayCause]:
    out = []
    currency = ctx.currency
    for reserve in Reserve.objects.filter(active=True):
        gap = reserve.target - reserve.held
        if gap <= 0:
            continue
        what = f"Setting aside {format_money(gap, currency)} for {reserve.name}"
        days, sentence = cash_impact(-gap, ctx.burn, what, currency)
        out.append(TrayCause(
            f"reserve:{reserve.pk}", RESERVE_FUND.value, gap, f"Top up the {reserve.name} reserve",
            f"{format_money(reserve.held, currency)} held of "
            f"{format_money(reserve.target, currency)}.",
            gap, reserve.due_date, days, sentence, "reserve", str(reserve.pk),
        ))
    return out
