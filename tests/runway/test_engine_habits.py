"""Customer payment habits and their use in the forecast."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from apps.runway.engine import RunwayInputs, compute_runway
from apps.runway.engine.habits import compute_habits

from .engine_helpers import bank, inv, paid

D = Decimal
AS_OF = date(2025, 3, 12)


def test_last_twelve_paid_invoices_in_two_years():
    items = []
    for k in range(15):  # 15 paid invoices; only the 12 most recent count
        due = date(2024, 1, 1) + timedelta(days=20 * k)
        late = 5
        if k < 3:  # the three oldest payments, very late, fall outside the last 12
            due, late = due - timedelta(days=200), 100
        items.append(
            paid(f"P{k}", "c1", "Acme", due - timedelta(days=30), due, due + timedelta(days=late))
        )
    habit = compute_habits(tuple(items), {}, AS_OF).by_customer["c1"]
    assert (habit.count, habit.avg_days_late, habit.avg_days_to_pay) == (12, D("5.0"), D("35.0"))


def test_two_year_window_edges():
    edge = AS_OF - timedelta(days=730)
    items = (
        paid("in", "c1", "Acme", edge - timedelta(days=40), edge - timedelta(days=10), edge),
        paid(
            "out",
            "c1",
            "Acme",
            edge - timedelta(days=41),
            edge - timedelta(days=11),
            edge - timedelta(days=1),
        ),
        paid("today", "c1", "Acme", AS_OF - timedelta(days=30), AS_OF, AS_OF),
    )
    facts = compute_habits(items, {}, AS_OF)
    assert facts.paid_in_window == 1
    assert facts.business_median_days_late == D(10)


def test_fewer_than_three_uses_business_median_of_days_late():
    items = (
        paid("a1", "a", "A", date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 2)),  # 2
        paid("a2", "a", "A", date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 4)),  # 4
        paid("a3", "a", "A", date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 6)),  # 6
        paid("b1", "b", "B", date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 9)),  # 9
    )
    facts = compute_habits(items, {"new": "Newco"}, AS_OF)
    assert facts.business_median_days_late == D("5")  # (4 + 6) / 2
    b = facts.by_customer["b"]
    assert (b.basis, b.count, b.avg_days_late, b.expected_delay_days) == (
        "business",
        1,
        D("5.0"),
        5,
    )
    newco = facts.by_customer["new"]
    assert (newco.basis, newco.count) == ("business", 0)
    assert newco.sentence.startswith("Newco has 0 paid invoices in the last 2 years")


def test_early_payer_sentence_and_half_day_rounding():
    items = (
        paid("1", "c", "Early Bird", date(2025, 1, 1), date(2025, 1, 31), date(2025, 1, 29)),
        paid("2", "c", "Early Bird", date(2025, 1, 1), date(2025, 1, 31), date(2025, 1, 28)),
        paid("3", "c", "Early Bird", date(2025, 1, 1), date(2025, 1, 31), date(2025, 1, 29)),
        paid("4", "c", "Early Bird", date(2025, 1, 1), date(2025, 1, 31), date(2025, 1, 28)),
    )
    h = compute_habits(items, {}, AS_OF).by_customer["c"]
    assert h.avg_days_late == D("-2.5")
    assert h.expected_delay_days == -3  # half away from zero
    assert h.sentence == "Early Bird pays in 28 days on average, about 3 days before the due date."


def test_no_paid_history_expects_the_due_date():
    r = compute_runway(
        RunwayInputs(
            accounts=(bank("chk", "0"),), open_invoices=(inv("I", date(2025, 3, 20), "10.00"),)
        ),
        AS_OF,
    )
    assert r.forecast.invoice_dates["I"] == date(2025, 3, 20)
    assert r.habits[0].basis == "none"


def test_invoice_whose_expected_date_is_before_today_lands_today():
    history = tuple(
        paid(f"P{k}", "c1", "Acme Outdoor", date(2024, 6, 1), date(2024, 7, 1), date(2024, 7, 21))
        for k in range(3)
    )  # 20 days late
    r = compute_runway(
        RunwayInputs(
            accounts=(bank("chk", "0"),),
            paid_invoices=history,
            open_invoices=(
                inv("late", date(2025, 2, 10), "100.00"),  # Mar 2 < today
                inv("soon", date(2025, 3, 1), "50.00"),  # Mar 21
                inv("owner", date(2025, 3, 1), "7.00", expected=date(2025, 1, 1)),
            ),
        ),
        AS_OF,
    )
    assert r.forecast.invoice_dates == {"late": AS_OF, "soon": date(2025, 3, 21), "owner": AS_OF}
    assert r.weeks[0].ar_in == D("107.00") and r.weeks[1].ar_in == D("50.00")


def test_precomputed_paid_stats_give_the_same_habits_as_the_rows():
    from apps.runway.engine import PaidInvoiceStats
    from apps.runway.engine.habits import habits_from_stats, paid_stats_of

    items = tuple(
        paid(f"P{k}", f"c{k % 3}", f"Customer {k % 3}", date(2024, 6, 1) + timedelta(days=9 * k),
             date(2024, 7, 1) + timedelta(days=9 * k), date(2024, 7, 1) + timedelta(days=10 * k))
        for k in range(20)
    )
    stats = paid_stats_of(items, AS_OF)
    assert isinstance(stats, PaidInvoiceStats) and stats.paid_in_window == 20
    # An even count: the median is the mean of the two middle values (money.median's rule).
    assert stats.days_late_middle == (9, 10)
    facts = habits_from_stats(stats, {"c9": "Only Open"})
    assert facts == compute_habits(items, {"c9": "Only Open"}, AS_OF)
    assert facts.business_median_days_late == D("9.5")
    assert facts.by_customer["c9"].basis == "business"


def test_integer_means_round_like_decimal_division():
    # The habit averages are rounded in integers; they must be Decimal division's figures,
    # exponent and the sign of a negative rounding to 0.0 included.
    from apps.runway.engine.money import ratio_tenth, ratio_whole, to_tenth, to_whole

    for den in range(1, 31):  # a count is ≤ 12; beyond it, a negative mean that rounds to -0.0
        for num in range(-400, 401):
            exact = Decimal(num) / den
            tenth = ratio_tenth(num, den)
            assert (tenth.as_tuple(), ratio_whole(num, den)) == (
                to_tenth(exact).as_tuple(), to_whole(exact)), (num, den)
