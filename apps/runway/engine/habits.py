"""Customer payment habits: how many days after issue, and after the due date, a customer pays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from .inputs import PaidInvoice
from .money import median, plural, to_tenth, to_whole

HABIT_WINDOW_DAYS = 730  # "2 years": paid on d with as_of − 730 ≤ d < as_of
HABIT_LAST_N = 12
HABIT_MIN_PAID = 3

Basis = Literal["customer", "business", "none"]


@dataclass(frozen=True, slots=True)
class CustomerHabit:
    customer_id: str
    customer_name: str
    count: int  # the customer's own fully paid invoices used (≤ 12)
    avg_days_to_pay: Decimal | None  # one decimal
    avg_days_late: Decimal | None  # one decimal; negative = pays early
    basis: Basis  # customer's own average, business-wide median fallback, or nothing known
    expected_delay_days: int  # whole days added to the due date in the forecast
    sentence: str


@dataclass(frozen=True, slots=True)
class HabitFacts:
    by_customer: dict[str, CustomerHabit]
    business_median_days_late: Decimal | None
    business_median_days_to_pay: Decimal | None
    paid_in_window: int

    def for_customer(self, customer_id: str, customer_name: str) -> CustomerHabit:
        found = self.by_customer.get(customer_id)
        if found is not None:
            return found
        return _fallback(customer_id, customer_name, 0, self)


def _late_phrase(days: int) -> str:
    if days > 0:
        return f"about {plural(days, 'day')} after the due date"
    if days < 0:
        return f"about {plural(-days, 'day')} before the due date"
    return "right around the due date"


def _fallback(customer_id: str, name: str, count: int, facts: HabitFacts) -> CustomerHabit:
    late = facts.business_median_days_late
    if late is None:
        return CustomerHabit(
            customer_id,
            name,
            count,
            None,
            None,
            "none",
            0,
            f"No invoices were fully paid in the last 2 years, so we expect {name} "
            "to pay on the due date.",
        )
    delay = to_whole(late)
    return CustomerHabit(
        customer_id,
        name,
        count,
        to_tenth(facts.business_median_days_to_pay)
        if facts.business_median_days_to_pay is not None
        else None,
        to_tenth(late),
        "business",
        delay,
        f"{name} has {plural(count, 'paid invoice')} in the last 2 years, too few to judge; "
        f"like your customers overall (median), we expect payment {_late_phrase(delay)}.",
    )


def compute_habits(
    paid: tuple[PaidInvoice, ...], customer_names: dict[str, str], as_of: date
) -> HabitFacts:
    """``customer_names``: customers that need a habit (e.g. with open invoices) → display name."""
    start = as_of - timedelta(days=HABIT_WINDOW_DAYS)
    in_window = [p for p in paid if start <= p.paid_date < as_of]
    late_all = [Decimal((p.paid_date - p.effective_due).days) for p in in_window]
    to_pay_all = [Decimal((p.paid_date - p.txn_date).days) for p in in_window]
    facts = HabitFacts(
        by_customer={},
        business_median_days_late=median(late_all) if late_all else None,
        business_median_days_to_pay=median(to_pay_all) if to_pay_all else None,
        paid_in_window=len(in_window),
    )

    per_customer: dict[str, list[PaidInvoice]] = {}
    names = dict(customer_names)
    for p in in_window:
        per_customer.setdefault(p.customer_id, []).append(p)
        names.setdefault(p.customer_id, p.customer_name)

    for customer_id, name in names.items():
        # Most recent first; the id breaks ties so the result never depends on input order.
        recent = sorted(
            per_customer.get(customer_id, []), key=lambda p: (p.paid_date, p.id), reverse=True
        )[:HABIT_LAST_N]
        if len(recent) < HABIT_MIN_PAID:
            facts.by_customer[customer_id] = _fallback(customer_id, name, len(recent), facts)
            continue
        n = len(recent)
        mean_to_pay = Decimal(sum((p.paid_date - p.txn_date).days for p in recent)) / n
        mean_late = Decimal(sum((p.paid_date - p.effective_due).days for p in recent)) / n
        delay = to_whole(mean_late)
        facts.by_customer[customer_id] = CustomerHabit(
            customer_id,
            name,
            n,
            to_tenth(mean_to_pay),
            to_tenth(mean_late),
            "customer",
            delay,
            f"{name} pays in {plural(to_whole(mean_to_pay), 'day')} on average, "
            f"{_late_phrase(delay)}.",
        )
    return facts
