"""The 13-week forecast: AR in, AP out and recurring out per week, low point, cash-zero week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .habits import HabitFacts
from .inputs import OpenBill, OpenInvoice
from .money import ZERO, fmt_money, plural
from .recurring import RULES, RecurringSeries, normalise
from .weeks import WEEKS, horizon, week_index

DOUBTFUL_AFTER_DAYS = 90  # invoices more than 90 days past due are not expected


@dataclass(frozen=True, slots=True)
class Week:
    week_start: date
    opening: Decimal
    ar_in: Decimal
    ap_out: Decimal
    recurring_out: Decimal
    closing: Decimal


@dataclass(frozen=True, slots=True)
class LowPoint:
    amount: Decimal
    week_start: date


@dataclass(frozen=True, slots=True)
class Flag:
    code: str  # invoice_doubtful | bill_overdue | series_unprojectable
    ref: str
    message: str
    amount: Decimal | None = None
    date: date | None = None


@dataclass(frozen=True, slots=True)
class ProjectedOutflow:
    series_key: str
    counterparty: str
    date: date
    amount: Decimal
    covered_by_bill: str | None  # an open bill of that vendor already forecasts this one


@dataclass(frozen=True, slots=True)
class Forecast:
    weeks: tuple[Week, ...]
    low_point: LowPoint
    cash_zero_week: date | None
    flags: tuple[Flag, ...]
    beyond_horizon_in: Decimal
    beyond_horizon_out: Decimal
    invoice_dates: dict[str, date | None]  # expected receipt; None = excluded as doubtful
    bill_dates: dict[str, date]  # forecast payment date
    recurring: tuple[ProjectedOutflow, ...]


def invoice_date(inv: OpenInvoice, habits: HabitFacts, as_of: date) -> date | None:
    """max(today, override or due + days late); None when > 90 days past due (no override)."""
    if inv.expected_date is not None:  # the owner's word wins, even on a very old invoice
        return max(as_of, inv.expected_date)
    if (as_of - inv.effective_due).days > DOUBTFUL_AFTER_DAYS:
        return None
    habit = habits.for_customer(inv.customer_id, inv.customer_name)
    return max(as_of, inv.effective_due + timedelta(days=habit.expected_delay_days))


def bill_date(bill: OpenBill, as_of: date) -> date:
    """Scheduled payment date, else due date; anything already past is paid today."""
    return max(as_of, bill.scheduled_date or bill.effective_due)


def _cover(
    series: RecurringSeries, dates: list[date], bills: list[tuple[date, str]]
) -> list[str | None]:
    """Each open bill of the vendor covers the nearest projected date within half a period."""
    covered: list[str | None] = [None] * len(dates)
    reach = RULES[series.cadence].half_period
    for when, bill_id in sorted(bills):
        best = None
        for i, d in enumerate(dates):
            gap = abs((d - when).days)
            if covered[i] is None and gap <= reach and (best is None or gap < best[0]):
                best = (gap, i)
        if best is not None:
            covered[best[1]] = bill_id
    return covered


def build_forecast(
    *,
    as_of: date,
    available: Decimal,
    invoices: tuple[OpenInvoice, ...],
    bills: tuple[OpenBill, ...],
    habits: HabitFacts,
    series: list[RecurringSeries] | tuple[RecurringSeries, ...],
) -> Forecast:
    first_monday, end = horizon(as_of)
    ar_in = [ZERO] * WEEKS
    ap_out = [ZERO] * WEEKS
    rec_out = [ZERO] * WEEKS
    beyond_in = beyond_out = ZERO
    flags: list[Flag] = []
    invoice_dates: dict[str, date | None] = {}
    bill_dates: dict[str, date] = {}

    for inv in invoices:
        if inv.balance <= 0:
            continue
        when = invoice_date(inv, habits, as_of)
        invoice_dates[inv.id] = when
        if when is None:
            late = (as_of - inv.effective_due).days
            flags.append(
                Flag(
                    "invoice_doubtful",
                    inv.id,
                    f"{inv.customer_name}: invoice {inv.id} is {plural(late, 'day')} past due; "
                    f"its {fmt_money(inv.balance)} is left out of the forecast.",
                    inv.balance,
                    inv.effective_due,
                )
            )
            continue
        if when >= end:
            beyond_in += inv.balance
        else:
            ar_in[week_index(when, first_monday)] += inv.balance

    counted_keys = {s.key for s in series if s.counts}
    bills_by_key: dict[str, list[tuple[date, str]]] = {}
    for bill in bills:
        if bill.balance <= 0:
            continue
        when = bill_date(bill, as_of)
        bill_dates[bill.id] = when
        late = (as_of - bill.effective_due).days
        if late > 0:
            flags.append(
                Flag(
                    "bill_overdue",
                    bill.id,
                    f"{bill.vendor_name}: bill {bill.id} is {plural(late, 'day')} overdue "
                    f"({fmt_money(bill.balance)}).",
                    bill.balance,
                    bill.effective_due,
                )
            )
        if when >= end:
            beyond_out += bill.balance
        else:
            ap_out[week_index(when, first_monday)] += bill.balance
        if counted_keys:
            for key in (f"vendor:{bill.vendor_id}", f"name:{normalise(bill.vendor_name)}"):
                if key in counted_keys:
                    bills_by_key.setdefault(key, []).append((when, bill.id))

    projected: list[ProjectedOutflow] = []
    for s in series:
        if not s.counts:
            continue
        dates = list(s.dates)
        covered = _cover(s, dates, bills_by_key.get(s.key, []))
        for d, bill_id in zip(dates, covered, strict=True):
            projected.append(ProjectedOutflow(s.key, s.counterparty, d, s.amount, bill_id))
            if bill_id is None:
                rec_out[week_index(d, first_monday)] += s.amount

    weeks: list[Week] = []
    opening = available
    for i in range(WEEKS):
        closing = opening + ar_in[i] - ap_out[i] - rec_out[i]
        weeks.append(
            Week(
                first_monday + timedelta(days=7 * i),
                opening,
                ar_in[i],
                ap_out[i],
                rec_out[i],
                closing,
            )
        )
        opening = closing

    low = LowPoint(available, first_monday)  # "Available today" sits in the current week
    for w in weeks:
        if w.closing < low.amount:
            low = LowPoint(w.closing, w.week_start)
    zero_week = next((w.week_start for w in weeks if w.closing < 0), None)

    return Forecast(
        weeks=tuple(weeks),
        low_point=low,
        cash_zero_week=zero_week,
        flags=tuple(flags),
        beyond_horizon_in=beyond_in,
        beyond_horizon_out=beyond_out,
        invoice_dates=invoice_dates,
        bill_dates=bill_dates,
        recurring=tuple(projected),
    )
