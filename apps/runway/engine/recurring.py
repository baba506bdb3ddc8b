"""Recurring outflows: detect series in the outflow history and project them forward.

A series is one counterparty paid ≥ 3 times in the last 365 days, on a steady cadence (≥ 75 % of
the gaps inside the cadence's tolerance), counting only payments within ±20 % of the median
amount. Same-day payments to one counterparty are one occurrence. The owner's overrides win.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from .burn import Outflow
from .inputs import SeriesOverride
from .money import median, to_cents, to_whole
from .weeks import is_month_end, month_day

MIN_OCCURRENCES = 3
AMOUNT_BAND = Decimal("0.20")


@dataclass(frozen=True, slots=True)
class CadenceRule:
    name: str
    period_days: int  # nominal, for staleness and step size
    tolerance_days: int  # how late a projected occurrence may still be "due now"
    gap_min: int  # a gap between occurrences inside [gap_min, gap_max] fits the cadence
    gap_max: int
    months: int  # 0 for day-based cadences, else months per step

    @property
    def half_period(self) -> int:
        return self.period_days // 2


# Checked in this order: semimonthly before biweekly, since 1st/15th gaps also look biweekly.
RULES: dict[str, CadenceRule] = {
    "weekly": CadenceRule("weekly", 7, 1, 6, 8, 0),
    "semimonthly": CadenceRule("semimonthly", 15, 3, 10, 20, 0),
    "biweekly": CadenceRule("biweekly", 14, 2, 12, 16, 0),
    "monthly": CadenceRule("monthly", 30, 3, 25, 35, 1),
    "quarterly": CadenceRule("quarterly", 91, 7, 84, 98, 3),
}

Status = Literal["detected", "confirmed", "edited", "dismissed"]


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class RecurringSeries:
    key: str  # "vendor:<id>" or "name:<normalised name>"; overrides refer to it
    counterparty: str
    cadence: str
    amount: Decimal  # median of the kept occurrences, in cents
    occurrences: int
    last_date: date | None
    anchors: tuple[int, ...]  # day(s) of month for month-based cadences (31 = month end)
    status: Status
    active: bool  # seen recently enough to still be running
    counts: bool  # projected into the forecast
    dates: tuple[date, ...]  # projected dates inside the horizon (before bill coverage)
    paid_to: str | None = None  # account the latest payment went to (a card: its payoff series)


def series_key(counterparty: str, counterparty_id: str | None) -> str | None:
    """A full key ("employee:7", "account:41", "name:gusto payroll") is used as given; a bare id
    is a vendor's."""
    if counterparty_id:
        return counterparty_id if ":" in counterparty_id else f"vendor:{counterparty_id}"
    name = normalise(counterparty)
    return f"name:{name}" if name else None


def normalise(name: str) -> str:
    return " ".join(name.casefold().split())


def _known_ids(outflows: tuple[Outflow, ...]) -> dict[str, str]:
    """Normalised name → the counterparty id first seen with it. A bank-feed row reconciled to a
    QBO bill payment carries the vendor's id, while the merchant's other rows carry only its
    name: this puts them all in the vendor's series, where the vendor's open bills cover its
    occurrences (else a bill and the merchant's series would both be projected)."""
    known: dict[str, str] = {}
    # Each (name, id) once, in order: thousands of outflows, a few hundred counterparties.
    for name, name_id in dict.fromkeys((o.counterparty, o.counterparty_id) for o in outflows
                                       if o.counterparty_id and o.counterparty):
        known.setdefault(normalise(name), name_id)
    return known


def _steady(gaps: list[int], rule: CadenceRule) -> bool:
    fitting = sum(1 for g in gaps if rule.gap_min <= g <= rule.gap_max)
    return 4 * fitting >= 3 * len(gaps)


def _dom(day: date) -> int:
    return 31 if is_month_end(day) else day.day


def _two_anchors(dates: list[date]) -> tuple[int, int] | None:
    """Days of month clustering into exactly two groups (±3 days) — a twice-a-month pattern."""
    days = sorted(_dom(d) for d in dates)
    clusters: list[list[int]] = [[days[0]]]
    for d in days[1:]:
        if d - clusters[-1][0] <= 3:
            clusters[-1].append(d)
        else:
            clusters.append([d])
    if len(clusters) != 2:
        return None
    first, second = (to_whole(median([Decimal(x) for x in c])) for c in clusters)
    return first, second


def _classify(dates: list[date]) -> tuple[CadenceRule, tuple[int, ...]] | None:
    gaps = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
    for rule in RULES.values():
        if not _steady(gaps, rule):
            continue
        if rule.name == "semimonthly":
            anchors = _two_anchors(dates)
            if anchors is None:
                continue
            return rule, anchors
        if rule.months:
            return rule, (to_whole(median([Decimal(_dom(d)) for d in dates])),)
        return rule, ()
    return None


def _month_dates(
    anchors: tuple[int, ...], months: int, origin: date, start: date, end: date
) -> list[date]:
    """Anchor days every ``months`` months counted from ``origin``'s month, in [start, end)."""
    out: list[date] = []
    k = 0
    while True:
        base = month_day(origin.year, origin.month + k, 1)
        if base >= end:
            return out
        for anchor in anchors:
            d = month_day(base.year, base.month, anchor)
            if start <= d < end:
                out.append(d)
        k += months


def project(
    rule: CadenceRule,
    anchors: tuple[int, ...],
    *,
    after: date | None,
    first: date | None,
    as_of: date,
    end: date,
) -> list[date]:
    """Future dates of a series, either after its last occurrence or from a given next date.

    Dates already past by more than the cadence's tolerance count as missed; those within it are
    due now and land on ``as_of``. Dates on or after ``end`` are outside the horizon.
    """
    month_based = rule.months > 0 or rule.name == "semimonthly"
    if first is not None:
        origin = start = first
    else:
        assert after is not None
        origin = after
        # Month-based: a date within half a period of the last payment is that same occurrence
        # (paid a little early or late), so it is not projected again.
        start = after + timedelta(days=rule.half_period + 1 if month_based else rule.period_days)
    if month_based:
        raw = _month_dates(anchors, rule.months or 1, origin, start, end)
    else:
        raw, d = [], start
        while d < end:
            raw.append(d)
            d += timedelta(days=rule.period_days)
    cutoff = as_of - timedelta(days=rule.tolerance_days)
    out: list[date] = []
    for d in raw:
        if d < cutoff:
            continue
        d = max(d, as_of)
        if not out or out[-1] != d:
            out.append(d)
    return out


def _override_anchors(rule: CadenceRule, next_date: date, detected: tuple[int, ...]) -> tuple:
    if rule.name == "semimonthly":
        if len(detected) == 2:
            return detected
        d = _dom(next_date)
        return (d, min(d + 15, 31)) if d <= 15 else (d - 15, d)
    if rule.months:
        return (_dom(next_date),)
    return ()


def detect_series(
    outflows: tuple[Outflow, ...],
    overrides: tuple[SeriesOverride, ...],
    as_of: date,
    horizon_end: date,
) -> list[RecurringSeries]:
    groups: dict[str, dict[date, Decimal]] = {}
    names: dict[str, str] = {}
    paid_to: dict[str, str | None] = {}
    keys: dict[tuple[str, str | None], str | None] = {}  # normalising once per counterparty
    known = _known_ids(outflows)
    for day, amount, _, _, name, name_id, to_account in outflows:  # Outflow, unpacked
        who = (name, name_id)
        if who in keys:
            key = keys[who]
        else:
            key = keys[who] = series_key(name, name_id or known.get(normalise(name)))
        if key is None:
            continue
        per_day = groups.get(key)
        if per_day is None:
            per_day = groups[key] = {}
            names[key] = name or key  # the first name seen (outflows are by date)
        per_day[day] = per_day[day] + amount if day in per_day else amount
        paid_to[key] = to_account  # outflows are by date: the latest wins

    by_key = {ov.key: ov for ov in overrides}
    # An override the owner set on a name before that name was known to be a vendor's.
    for ov in overrides:
        known_id = known.get(ov.key.removeprefix("name:")) if ov.key.startswith("name:") else None
        if known_id:
            del by_key[ov.key]
            key = series_key("", known_id)
            by_key.setdefault(key, replace(ov, key=key))
    found: list[RecurringSeries] = []
    for key, per_day in groups.items():
        if len(per_day) < MIN_OCCURRENCES:
            continue
        mid = median(list(per_day.values()))
        band = mid * AMOUNT_BAND
        kept = sorted(d for d, a in per_day.items() if abs(a - mid) <= band)
        if len(kept) < MIN_OCCURRENCES:
            continue
        classified = _classify(kept)
        if classified is None:
            continue
        rule, anchors = classified
        amount = to_cents(median([per_day[d] for d in kept]))
        last = kept[-1]
        active = last >= as_of - timedelta(days=2 * rule.period_days + rule.tolerance_days)
        found.append(
            _finish(
                key,
                names[key],
                rule,
                anchors,
                amount,
                len(kept),
                last,
                active,
                by_key.pop(key, None),
                as_of,
                horizon_end,
                paid_to.get(key),
            )
        )

    # Confirmed series the history no longer shows (or the owner added): project if complete.
    for key, ov in by_key.items():
        if ov.status != "confirmed" or not (ov.cadence and ov.amount is not None and ov.next_date):
            continue
        rule = RULES[ov.cadence]
        found.append(
            _finish(
                key, ov.name or key, rule, (), ov.amount, 0, None, False, ov, as_of, horizon_end
            )
        )
    found.sort(key=lambda s: s.key)
    return found


def _finish(
    key: str,
    name: str,
    rule: CadenceRule,
    anchors: tuple[int, ...],
    amount: Decimal,
    occurrences: int,
    last: date | None,
    active: bool,
    ov: SeriesOverride | None,
    as_of: date,
    end: date,
    paid_to: str | None = None,
) -> RecurringSeries:
    status: Status = "detected"
    counts = active
    first: date | None = None
    if ov is not None and ov.status == "dismissed":
        status, counts = "dismissed", False
    elif ov is not None:
        edited = ov.cadence is not None or ov.amount is not None or ov.next_date is not None
        status, counts = ("edited" if edited else "confirmed"), True
        name = ov.name or name
        if ov.cadence is not None and ov.cadence != rule.name:
            rule = RULES[ov.cadence]
            anchors = _override_anchors(rule, ov.next_date or last or as_of, anchors)
        if ov.amount is not None:
            amount = ov.amount
        if ov.next_date is not None:
            first = ov.next_date
            anchors = _override_anchors(rule, ov.next_date, anchors)
    dates: tuple[date, ...] = ()
    if counts:
        dates = tuple(project(rule, anchors, after=last, first=first, as_of=as_of, end=end))
    return RecurringSeries(
        key,
        name,
        rule.name,
        amount,
        occurrences,
        last,
        anchors,
        status,
        active,
        counts,
        dates,
        paid_to,
    )
