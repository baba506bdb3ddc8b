"""The 13-week forecast: AR in, AP out and recurring out per week, low point, cash-zero week."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

from .habits import HabitFacts
from .inputs import OpenBill, OpenInvoice
from .money import ZERO, fmt_money, plural
from .real_books import CustomerCredit, VendorCredit
from .recurring import RULES, RecurringSeries, normalise
from .weeks import WEEKS, horizon, week_index

DOUBTFUL_AFTER_DAYS = 90  # invoices more than 90 days past due are not expected


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class Week:
    week_start: date
    opening: Decimal
    ar_in: Decimal
    ap_out: Decimal
    recurring_out: Decimal
    closing: Decimal


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class LowPoint:
    amount: Decimal
    week_start: date


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class Flag:
    code: str  # invoice_doubtful | bill_overdue | series_unprojectable | currency_rate_missing
    ref: str
    message: str
    amount: Decimal | None = None
    date: date | None = None


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
class ProjectedOutflow:
    series_key: str
    counterparty: str
    date: date
    amount: Decimal
    covered_by_bill: str | None  # an open bill of that vendor already forecasts this one
    paid_to: str | None = None  # the receiving account (a card's payoff series)


@dataclass(frozen=True)  # not slotted: pickled in the cached result (result.py)
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
    credit_applied: dict[str, Decimal] = field(default_factory=dict)  # bill id → vendor credit
    # invoice id → the customer's unapplied credit or payment it absorbs
    customer_credit_applied: dict[str, Decimal] = field(default_factory=dict)


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
    """Each open bill of the vendor covers the nearest projected date within half a period of
    its due date."""
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


def _absorb(documents: Iterable[Any], credits: Iterable[Any], party: Callable[[Any], str],
            order: Callable[[Any], Any]) -> dict[str, Decimal]:
    """Document id → the party's credit it absorbs: each party's credit goes to its open
    documents in ``order``, never below 0."""
    left: dict[str, Decimal] = {}
    for credit in credits:
        if credit.balance > 0:
            left[party(credit)] = left.get(party(credit), ZERO) + credit.balance
    applied: dict[str, Decimal] = {}
    if not left:
        return applied
    for doc in sorted((d for d in documents if d.balance > 0 and left.get(party(d), ZERO) > 0),
                      key=order):
        take = min(doc.balance, left[party(doc)])
        if take > 0:
            applied[doc.id] = take
            left[party(doc)] -= take
    return applied


def net_vendor_credits(
    bills: tuple[OpenBill, ...], credits: tuple[VendorCredit, ...], as_of: date
) -> dict[str, Decimal]:
    """Bill id → vendor credit it is expected to absorb: each vendor's unapplied credit goes to
    its open bills in forecast-date order (then id), earliest first, never below 0."""
    return _absorb(bills, credits, attrgetter("vendor_id"), lambda b: (bill_date(b, as_of), b.id))


def net_customer_credits(
    invoices: tuple[OpenInvoice, ...], credits: tuple[CustomerCredit, ...]
) -> dict[str, Decimal]:
    """Invoice id → the customer's unapplied credit (credit memos, unapplied payments) it is
    expected to absorb: oldest due date first (then id), as QuickBooks applies credits, never
    below 0. An invoice left out as doubtful absorbs its share too: the credit is most likely
    for it."""
    return _absorb(invoices, credits, attrgetter("customer_id"),
                   lambda i: (i.effective_due, i.id))


def build_forecast(
    *,
    as_of: date,
    available: Decimal,
    invoices: tuple[OpenInvoice, ...],
    bills: tuple[OpenBill, ...],
    habits: HabitFacts,
    series: list[RecurringSeries] | tuple[RecurringSeries, ...],
    credits: tuple[VendorCredit, ...] = (),
    customer_credits: tuple[CustomerCredit, ...] = (),
    card_owed: dict[str, Decimal] | None = None,
) -> Forecast:
    """``card_owed``: account key of a card → amount owed now, the first projected payment of
    the series that pays it off (later ones at the series' median)."""
    first_monday, end = horizon(as_of)
    ar_in = [ZERO] * WEEKS
    ap_out = [ZERO] * WEEKS
    rec_out = [ZERO] * WEEKS
    beyond_in = beyond_out = ZERO
    flags: list[Flag] = []
    invoice_dates: dict[str, date | None] = {}
    bill_dates: dict[str, date] = {}

    absorbed = net_customer_credits(invoices, customer_credits)
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
        expected = inv.balance - absorbed.get(inv.id, ZERO)  # the rest is already paid
        if expected <= 0:
            continue
        if when >= end:
            beyond_in += expected
        else:
            ar_in[week_index(when, first_monday)] += expected

    credit_applied = net_vendor_credits(bills, credits, as_of)
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
        payable = bill.balance - credit_applied.get(bill.id, ZERO)
        if when >= end:
            beyond_out += payable
        else:
            ap_out[week_index(when, first_monday)] += payable
        if counted_keys:
            for key in (f"vendor:{bill.vendor_id}", f"name:{normalise(bill.vendor_name)}"):
                if key in counted_keys:
                    # The occurrence it stands for (its due date), not when it is paid: an
                    # overdue or rescheduled bill must not cover another month's payment.
                    bills_by_key.setdefault(key, []).append((bill.effective_due, bill.id))

    projected: list[ProjectedOutflow] = []
    for s in series:
        if not s.counts:
            continue
        dates = list(s.dates)
        covered = _cover(s, dates, bills_by_key.get(s.key, []))
        owed = (card_owed or {}).get(s.paid_to or "")
        for i, (d, bill_id) in enumerate(zip(dates, covered, strict=True)):
            amount = owed if owed is not None and i == 0 else s.amount
            projected.append(ProjectedOutflow(s.key, s.counterparty, d, amount, bill_id, s.paid_to))
            if bill_id is None:
                rec_out[week_index(d, first_monday)] += amount

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
        credit_applied=credit_applied,
        customer_credit_applied=absorbed,
    )
