"""Customer payment habits: how many days after issue, and after the due date, a customer pays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, NamedTuple

from .inputs import CustomerPaidStats, PaidInvoice, PaidInvoiceStats
from .money import plural, ratio_tenth, ratio_whole, to_tenth, to_whole

HABIT_WINDOW_DAYS = 730  # "2 years": paid on d with as_of − 730 ≤ d < as_of
HABIT_LAST_N = 12
HABIT_MIN_PAID = 3

Basis = Literal["customer", "business", "none"]


class CustomerHabit(NamedTuple):
    # A named tuple: hundreds are built per computation and pickled into the cache.
    customer_id: str
    customer_name: str
    count: int  # the customer's own fully paid invoices used (≤ 12)
    avg_days_to_pay: Decimal | None  # one decimal
    avg_days_late: Decimal | None  # one decimal; negative = pays early
    basis: Basis  # customer's own average, business-wide median fallback, or nothing known
    expected_delay_days: int  # whole days added to the due date in the forecast
    pay_days: int = 0  # whole days to pay (the customer's own average; for the sentence)

    @property
    def sentence(self) -> str:
        # Built when shown, not for each of the hundreds of customers a computation holds.
        name = self.customer_name
        if self.basis == "customer":
            return (f"{name} pays in {plural(self.pay_days, 'day')} on average, "
                    f"{_late_phrase(self.expected_delay_days)}.")
        if self.basis == "business":
            return (f"{name} has {plural(self.count, 'paid invoice')} in the last 2 years, too "
                    "few to judge; like your customers overall (median), we expect payment "
                    f"{_late_phrase(self.expected_delay_days)}.")
        return (f"No invoices were fully paid in the last 2 years, so we expect {name} "
                "to pay on the due date.")


@dataclass(frozen=True)  # not slotted: pickled in the cached result
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
        return CustomerHabit(customer_id, name, count, None, None, "none", 0)
    to_pay = facts.business_median_days_to_pay
    return CustomerHabit(
        customer_id,
        name,
        count,
        to_tenth(to_pay) if to_pay is not None else None,
        to_tenth(late),
        "business",
        to_whole(late),
    )


def _middles(values: list[int]) -> tuple[int, int] | None:
    """The two middle values of a list (the same one twice for an odd count)."""
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    return ordered[(n - 1) // 2], ordered[n // 2]


def _median_of(middles: tuple[int, int] | None) -> Decimal | None:
    # money.median's rule: the middle value, or the mean of the two middle ones.
    if middles is None:
        return None
    low, high = middles
    return (Decimal(low) + Decimal(high)) / 2


def paid_stats_of(paid: tuple[PaidInvoice, ...], as_of: date) -> PaidInvoiceStats:
    """Reduce paid invoices to the habit statistics (what the selectors compute in SQL)."""
    start = as_of - timedelta(days=HABIT_WINDOW_DAYS)
    in_window = [p for p in paid if start <= p.paid_date < as_of]
    per_customer: dict[str, list[PaidInvoice]] = {}
    for p in in_window:
        per_customer.setdefault(p.customer_id, []).append(p)
    customers = []
    for customer_id, rows in per_customer.items():
        # Most recent first; the id breaks ties so the result never depends on input order.
        recent = sorted(rows, key=lambda p: (p.paid_date, p.id), reverse=True)[:HABIT_LAST_N]
        customers.append(
            CustomerPaidStats(
                customer_id,
                rows[0].customer_name,
                len(recent),
                sum((p.paid_date - p.txn_date).days for p in recent),
                sum((p.paid_date - p.effective_due).days for p in recent),
            )
        )
    return PaidInvoiceStats(
        customers=tuple(customers),
        paid_in_window=len(in_window),
        days_late_middle=_middles([(p.paid_date - p.effective_due).days for p in in_window]),
        days_to_pay_middle=_middles([(p.paid_date - p.txn_date).days for p in in_window]),
    )


def compute_habits(
    paid: tuple[PaidInvoice, ...], customer_names: dict[str, str], as_of: date
) -> HabitFacts:
    """``customer_names``: customers that need a habit (e.g. with open invoices) → display name."""
    return habits_from_stats(paid_stats_of(paid, as_of), customer_names)


def habits_from_stats(stats: PaidInvoiceStats, customer_names: dict[str, str]) -> HabitFacts:
    """Habits of every customer with open invoices (``customer_names``) or paid ones."""
    facts = HabitFacts(
        by_customer={},
        business_median_days_late=_median_of(stats.days_late_middle),
        business_median_days_to_pay=_median_of(stats.days_to_pay_middle),
        paid_in_window=stats.paid_in_window,
    )
    own = {c.customer_id: c for c in stats.customers}
    names = dict(customer_names)
    for c in stats.customers:
        names.setdefault(c.customer_id, c.customer_name)

    by_customer = facts.by_customer
    for customer_id, name in names.items():
        mine = own.get(customer_id)
        n = mine.count if mine is not None else 0
        if mine is None or n < HABIT_MIN_PAID:
            by_customer[customer_id] = _fallback(customer_id, name, n, facts)
            continue
        # The means of integer sums, rounded in integers (the same figures as Decimal division).
        to_pay, late = mine.days_to_pay_sum, mine.days_late_sum
        by_customer[customer_id] = CustomerHabit(
            customer_id,
            name,
            n,
            ratio_tenth(to_pay, n),
            ratio_tenth(late, n),
            "customer",
            ratio_whole(late, n),
            ratio_whole(to_pay, n),
        )
    return facts
