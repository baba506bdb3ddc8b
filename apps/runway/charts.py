"""Server-rendered SVG charts: one renderer for the web portal, the PDF and email.

Pure functions: plain values in, an SVG string out (no Django, no JS). Coordinates are computed
with floats only for drawing; every number printed in a label comes from the Decimal input.
The SVGs use a viewBox and `width="100%"`, so they scale to phone width.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from html import escape
from typing import Protocol

from apps.core.money import format_money

INK = "#1d2433"
MUTED = "#667085"
LINE = "#e4e7ec"
BRAND = "#2f5bea"
BAD = "#b42318"
GOOD = "#12805c"
AGING_LABELS = (
    ("current", "Current"),
    ("d1_30", "1–30"),
    ("d31_60", "31–60"),
    ("d61_90", "61–90"),
    ("d90_plus", "90+"),
)
AGING_COLOURS = ("#12805c", "#7a9a01", "#dc8b06", "#d1570f", "#b42318")


class WeekLike(Protocol):
    week_start: date
    closing: Decimal


def compact_money(amount: Decimal, currency: str = "USD") -> str:
    """Axis labels: $12.3k, -$1.2M, $950."""
    symbol = {"USD": "$", "CAD": "CA$", "AUD": "A$", "GBP": "£", "EUR": "€"}.get(currency, "")
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    if value >= 1_000_000:
        text = f"{value / 1_000_000:.1f}M"
    elif value >= 10_000:
        text = f"{value / 1000:.0f}k"
    elif value >= 1000:
        text = f"{value / 1000:.1f}k"
    else:
        text = f"{value:.0f}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(label)}" '
        f'font-family="-apple-system, Segoe UI, Roboto, Arial, sans-serif" font-size="11">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def forecast_svg(
    weeks: Sequence[WeekLike],
    *,
    opening: Decimal,
    low_point_amount: Decimal,
    low_point_week: date | None,
    currency: str = "USD",
    width: int = 640,
    height: int = 220,
) -> str:
    """The 13-week forecast as weekly closing bars from today's available cash, with the low
    point marked and a zero line when cash goes negative."""
    if not weeks:
        return _svg(
            width,
            60,
            "No forecast yet",
            [
                f'<text x="{width / 2}" y="34" text-anchor="middle" fill="{MUTED}">'
                "No forecast yet</text>"
            ],
        )
    left, right, top, bottom = 56, 10, 18, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [opening, *[w.closing for w in weeks]]
    hi = max(max(values), Decimal(0))
    lo = min(min(values), Decimal(0))
    span = float(hi - lo) or 1.0

    def y(v: Decimal) -> float:
        return top + (float(hi - v) / span) * plot_h

    step = plot_w / len(weeks)
    bar_w = max(step * 0.62, 2)
    body: list[str] = []
    # Gridlines at top, zero, bottom.
    for v in sorted({hi, Decimal(0), lo}):
        yy = y(v)
        colour = INK if v == 0 else LINE
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="{colour}" stroke-width="{1 if v else 1.2}"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(compact_money(v, currency))}</text>"
        )
    zero_y = y(Decimal(0))
    low_marked = False
    for i, week in enumerate(weeks):
        x = left + i * step + (step - bar_w) / 2
        yy = y(week.closing)
        top_y, h = (yy, zero_y - yy) if week.closing >= 0 else (zero_y, yy - zero_y)
        is_low = (
            not low_marked
            and low_point_week is not None
            and week.week_start == low_point_week
            and week.closing == low_point_amount
        )
        fill = BAD if week.closing < 0 else (BRAND if not is_low else "#f79009")
        body.append(
            f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{bar_w:.1f}" height="{max(h, 1):.1f}" '
            f'rx="2" fill="{fill}"><title>Week of {week.week_start:%b %-d}: '
            f"{escape(format_money(week.closing, currency))}</title></rect>"
        )
        if i % 2 == 0:
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
                f'fill="{MUTED}">{week.week_start:%b %-d}</text>'
            )
        if is_low:
            low_marked = True
            label_y = max(top_y - 6, 10) if week.closing >= 0 else min(top_y + h + 12, height - 20)
            body.append(
                f'<g data-low-point="1"><circle cx="{x + bar_w / 2:.1f}" cy="{yy:.1f}" r="4" '
                f'fill="#fff" stroke="{INK}" stroke-width="1.5"/>'
                f'<text x="{x + bar_w / 2:.1f}" y="{label_y:.1f}" text-anchor="middle" '
                f'fill="{INK}" font-weight="600">'
                f"Low {escape(compact_money(week.closing, currency))}</text></g>"
            )
    if not low_marked and low_point_amount == opening:
        # The low point is today: mark the opening level on the left edge.
        body.append(
            f'<g data-low-point="1"><line x1="{left}" x2="{left + step}" y1="{y(opening):.1f}" '
            f'y2="{y(opening):.1f}" stroke="#f79009" stroke-width="2"/>'
            f'<text x="{left + 4}" y="{y(opening) - 5:.1f}" fill="{INK}" font-weight="600">'
            f"Low today {escape(compact_money(opening, currency))}</text></g>"
        )
    label = f"13-week cash forecast; low point {format_money(low_point_amount, currency)}" + (
        f" in the week of {low_point_week:%b %-d}" if low_point_week else ""
    )
    return _svg(width, height, label, body)


def aging_svg(
    aging: Mapping[str, Decimal] | object,
    *,
    title: str,
    currency: str = "USD",
    width: int = 320,
    height: int = 150,
) -> str:
    """Five horizontal bars (current … 90+) by open balance; `aging` is a mapping or an
    object with the bucket attributes (the engine's `Aging`)."""

    def get(name: str) -> Decimal:
        if isinstance(aging, Mapping):
            return Decimal(aging.get(name, 0))
        return getattr(aging, name)

    values = [get(name) for name, _ in AGING_LABELS]
    biggest = max(values + [Decimal(0)]) or Decimal(1)
    left, right, top = 48, 78, 8
    row = (height - top - 4) / len(values)
    body: list[str] = []
    for i, ((_, label), value, colour) in enumerate(
        zip(AGING_LABELS, values, AGING_COLOURS, strict=True)
    ):
        yy = top + i * row
        w = (float(value) / float(biggest)) * (width - left - right) if value > 0 else 0
        body.append(
            f'<text x="{left - 6}" y="{yy + row / 2 + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{label}</text>"
            f'<rect x="{left}" y="{yy + 3:.1f}" width="{max(w, 1):.1f}" height="{row - 6:.1f}" '
            f'rx="2" fill="{colour}"/>'
            f'<text x="{left + w + 6:.1f}" y="{yy + row / 2 + 4:.1f}" fill="{INK}">'
            f"{escape(compact_money(value, currency))}</text>"
        )
    total = sum(values, Decimal(0))
    return _svg(width, height, f"{title}: {format_money(total, currency)} open", body)
