"""The runway as readable text (the `manage.py runway` table)."""

from __future__ import annotations

from decimal import Decimal

from apps.core.money import format_money
from apps.runway.engine import RunwayResult
from apps.runway.engine.aging import BUCKETS

AGING_LABELS = {
    "current": "current",
    "d1_30": "1-30",
    "d31_60": "31-60",
    "d61_90": "61-90",
    "d90_plus": "90+",
}


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    return [line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def runway_table(result: RunwayResult, *, business_name: str = "") -> str:
    cur = result.currency

    def money(value: Decimal) -> str:
        return format_money(value, cur)

    days = "no burn" if result.runway_days is None else f"{result.runway_days} days"
    low = result.low_point
    out = [
        f"Runway{f' of {business_name}' if business_name else ''} as of "
        f"{result.as_of.isoformat()} ({cur})",
        "",
        *_table(
            ["figure", "value"],
            [
                ["Cash", money(result.cash)],
                ["Reserved", money(result.reserved)],
                ["Available", money(result.available)],
                ["Daily burn", money(result.daily_burn)],
                ["Runway", days],
                ["Low point", f"{money(low.amount)} (week of {low.week_start.isoformat()})"],
                [
                    "Cash-zero week",
                    result.cash_zero_week.isoformat() if result.cash_zero_week else "none",
                ],
            ],
        ),
        "",
        result.runway_sentence,
        "",
        "13-week forecast",
        *_table(
            ["week", "opening", "AR in", "AP out", "recurring", "closing"],
            [
                [
                    w.week_start.isoformat(), money(w.opening), money(w.ar_in), money(w.ap_out),
                    money(w.recurring_out), money(w.closing),
                ]
                for w in result.weeks
            ],
        ),
        "",
        "Aging",
        *_table(
            ["", *AGING_LABELS.values(), "total"],
            [
                [label, *(money(getattr(a, b)) for b in BUCKETS), money(a.total)]
                for label, a in (("AR", result.ar_aging), ("AP", result.ap_aging))
            ],
        ),
    ]
    if result.flags:
        out += ["", "Flags", *(f"- {f.message}" for f in result.flags)]
    return "\n".join(out) + "\n"
