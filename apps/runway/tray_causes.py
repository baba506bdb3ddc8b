"""Tray causes the runway finds: recurring series to confirm and missing exchange rates
(plugged in ``oodaloo/wiring.py``; contract in ``apps/core/tray_causes.py``)."""

from __future__ import annotations

from decimal import Decimal

from apps.core.money import format_money
from apps.core.tray_causes import TrayCause, TrayContext, TrayKind

SERIES_CONFIRM = TrayKind("series_confirm", "Recurring payment to confirm")
CURRENCY_RATE = TrayKind("currency_rate", "Exchange rate missing")
CADENCE_WORDS = {
    "weekly": "every week",
    "biweekly": "every two weeks",
    "semimonthly": "twice a month",
    "monthly": "every month",
    "quarterly": "every quarter",
}


def series_causes(ctx: TrayContext) -> list[TrayCause]:
    if ctx.result is None:
        return []
    out = []
    currency = ctx.currency
    for s in ctx.result.history.series:
        if s.status != "detected" or not s.active:
            continue
        cadence = CADENCE_WORDS.get(s.cadence, s.cadence)
        out.append(TrayCause(
            f"series:{s.key}"[:120], SERIES_CONFIRM.value, s.amount,
            f"Confirm {s.counterparty}: {format_money(s.amount, currency)} {cadence}",
            f"Seen {s.occurrences} times; last on {s.last_date:%b %-d}." if s.last_date else "",
            s.amount, s.dates[0] if s.dates else None, Decimal("0.0"),
            "Already in the forecast; confirming keeps it there, dismissing takes "
            f"{format_money(s.amount, currency)} {cadence} out.",
            "series", s.key,
        ))
    return out


def rate_missing_causes(ctx: TrayContext) -> list[TrayCause]:
    """A currency with no rate: its money is left out of every figure until QuickBooks has one."""
    if ctx.result is None:
        return []
    missing = [f for f in ctx.result.flags if f.code == "currency_rate_missing"]
    if not missing:
        return []
    lines = "; ".join(f.message for f in missing[:3])
    more = f" (and {len(missing) - 3} more)" if len(missing) > 3 else ""
    return [TrayCause(
        "currency_rate_missing", CURRENCY_RATE.value, Decimal(len(missing)),
        "An exchange rate is missing: some money is left out of your figures",
        (lines + more)[:300],
        impact_sentence=("Add the rate in QuickBooks (Settings › Currencies); the next sync "
                         "brings that money into cash, the forecast and aging."),
    )]
