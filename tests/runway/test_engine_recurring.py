"""Recurring outflows: cadence detection, projection, bill coverage, owner overrides."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from apps.runway.engine import RunwayInputs, SeriesOverride, compute_runway

from .engine_helpers import bank, bill, out

D = Decimal
AS_OF = date(2025, 3, 12)  # Wednesday; horizon 2025-03-10 .. 2025-06-08


def run(moves, **kw):
    return compute_runway(
        RunwayInputs(accounts=(bank("chk", "100000.00"),), movements=tuple(moves), **kw), AS_OF
    )


def series_of(result):
    return {s.key: s for s in result.history.series}


def test_monthly_rent_with_a_one_off_and_a_weekend_shift():
    moves = [
        out(date(2024, 10, 1), "3000.00", who="Landlord"),
        out(date(2024, 11, 1), "3000.00", who="Landlord"),
        out(date(2024, 12, 2), "3000.00", who="Landlord"),  # Monday after a weekend
        out(date(2025, 1, 1), "3100.00", who="Landlord"),
        out(date(2025, 1, 17), "12000.00", who="Landlord"),  # deposit: far from median
        out(date(2025, 2, 1), "3000.00", who="Landlord"),
        out(date(2025, 3, 1), "3000.00", who="landlord"),
    ]
    s = series_of(run(moves))["name:landlord"]
    assert (s.cadence, s.amount, s.occurrences, s.anchors) == ("monthly", D("3000.00"), 6, (1,))
    assert s.dates == (date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1))


def test_weekly_biweekly_semimonthly_quarterly():
    moves = []
    moves += [out(AS_OF - timedelta(days=7 * k + 2), "500.00", who="Cleaner") for k in range(6)]
    moves += [
        out(date(2025, 3, 7) - timedelta(days=14 * k), "20000.00", who="Gusto", kind="payroll")
        for k in range(8)
    ]
    for m in (11, 12, 1, 2):
        y = 2024 if m > 3 else 2025
        moves += [
            out(date(y, m, 15), "900.00", who="Contractor"),
            out(date(y, m, 28 if m == 2 else 30 if m == 11 else 31), "900.00", who="Contractor"),
        ]
    moves += [
        out(d, "6000.00", who="IRS")
        for d in (date(2024, 4, 15), date(2024, 7, 15), date(2024, 10, 15), date(2025, 1, 15))
    ]
    s = series_of(run(moves))
    cleaner = s["name:cleaner"]
    assert cleaner.cadence == "weekly"
    assert cleaner.dates[:2] == (date(2025, 3, 17), date(2025, 3, 24))
    # The payment due on 2025-03-10 was not seen: within the 1-day tolerance? No -> missed.
    gusto = s["name:gusto"]
    assert gusto.cadence == "biweekly" and gusto.dates[0] == date(2025, 3, 21)
    contractor = s["name:contractor"]
    assert contractor.cadence == "semimonthly" and contractor.anchors == (15, 31)
    assert contractor.dates[:3] == (date(2025, 3, 15), date(2025, 3, 31), date(2025, 4, 15))
    irs = s["name:irs"]
    assert irs.cadence == "quarterly" and irs.dates == (date(2025, 4, 15),)


def test_occurrence_slightly_overdue_lands_today_older_is_missed():
    moves = [
        out(date(2024, 12, 10), "99.00", who="Saas"),
        out(date(2025, 1, 10), "99.00", who="Saas"),
        out(date(2025, 2, 10), "99.00", who="Saas"),
    ]
    r = run(moves)
    assert series_of(r)["name:saas"].dates[0] == AS_OF  # Mar 10 is 2 days ago, tolerance 3
    assert r.weeks[0].recurring_out == D("99.00")


def test_irregular_or_too_few_or_stale_are_not_projected():
    irregular = [out(date(2025, 1, d), "50.00", who="Lunch") for d in (2, 3, 20, 21)]
    few = [out(date(2025, m, 5), "10.00", who="Few") for m in (1, 2)]
    stale = [out(date(2024, m, 3), "70.00", who="Gone") for m in (4, 5, 6, 7)]
    s = series_of(run(irregular + few + stale))
    assert "name:lunch" not in s and "name:few" not in s
    assert s["name:gone"].active is False and s["name:gone"].dates == ()


def test_dates_covered_by_an_open_bill_are_skipped():
    moves = [
        out(date(2024, m, 1), "3000.00", who="Rent Co", who_id="v-rent") for m in range(4, 13)
    ] + [out(date(2025, m, 1), "3000.00", who="Rent Co", who_id="v-rent") for m in (1, 2, 3)]
    r = run(moves, open_bills=(bill("R4", date(2025, 4, 3), "3000.00", vendor="v-rent"),))
    projected = [(p.date, p.covered_by_bill) for p in r.forecast.recurring]
    assert projected == [
        (date(2025, 4, 1), "R4"),
        (date(2025, 5, 1), None),
        (date(2025, 6, 1), None),
    ]
    assert r.weeks[3].ap_out == D("3000.00") and r.weeks[3].recurring_out == D("0.00")
    assert sum(w.recurring_out for w in r.weeks) == D("6000.00")


def test_a_merchant_reconciled_to_a_vendor_is_covered_by_that_vendor_s_bill():
    """The bank feed names the payee "ACME PROPERTY MGMT"; QuickBooks calls the vendor "Rent
    Co". Two of the feed's rent payments were reconciled to QBO bill payments (they carry the
    vendor's id), the rest only the merchant's name. All are one series, the vendor's, so April's
    open bill covers April's rent (it was projected twice: the bill and the merchant's series).
    An override the owner set on the merchant's name still holds."""
    merchant = "ACME PROPERTY MGMT"

    def paid(day, who=merchant, who_id=None):
        return out(day, "3000.00", "feed", kind="other", source="bank_feed", who=who,
                   who_id=who_id)

    moves = [paid(date(2024, m, 1)) for m in range(4, 13)]
    moves += [paid(date(2025, m, 1), who_id="v-rent") for m in (1, 2)]
    moves += [paid(date(2025, 3, 1), who=merchant.lower())]
    april = bill("R4", date(2025, 4, 1), "3000.00", vendor="v-rent", name="Rent Co")
    accounts = (bank("chk", "100000.00", linked="a"),
                bank("feed", "100000.00", linked="a", source="bank_feed"))

    def run_fed(**kw):
        inputs = RunwayInputs(accounts=accounts, movements=tuple(moves), open_bills=(april,), **kw)
        return compute_runway(inputs, AS_OF)

    r = run_fed()
    series = series_of(r)
    assert list(series) == ["vendor:v-rent"]
    assert series["vendor:v-rent"].occurrences == 12
    projected = [(p.date, p.covered_by_bill) for p in r.forecast.recurring]
    assert projected == [(date(2025, 4, 1), "R4"), (date(2025, 5, 1), None),
                         (date(2025, 6, 1), None)]
    assert sum(w.ap_out + w.recurring_out for w in r.weeks) == D("9000.00")

    edited = run_fed(series_overrides=(
        SeriesOverride("name:acme property mgmt", "confirmed", amount=D("3200.00")),))
    rent = series_of(edited)["vendor:v-rent"]
    assert (rent.status, rent.amount) == ("edited", D("3200.00"))


def test_an_overdue_bill_stands_for_its_own_month_not_the_next():
    """Rent paid through Feb 1; March's bill is still open on Mar 12 (past the 3-day
    tolerance, so Mar 1 is no longer projected). Paid today or scheduled for Mar 28, it is
    March's rent: it must not cover Apr 1 because it is paid near it (it did when scheduled:
    3,000 of April's rent vanished from the forecast)."""
    moves = [
        out(date(2024, m, 1), "3000.00", who="Rent Co", who_id="v-rent") for m in range(4, 13)
    ] + [out(date(2025, m, 1), "3000.00", who="Rent Co", who_id="v-rent") for m in (1, 2)]
    march = bill("R3", date(2025, 3, 1), "3000.00", vendor="v-rent")
    r = run(moves, open_bills=(march,))
    projected = [(p.date, p.covered_by_bill) for p in r.forecast.recurring]
    assert projected == [(date(2025, 4, 1), None), (date(2025, 5, 1), None),
                         (date(2025, 6, 1), None)]
    assert r.weeks[0].ap_out == D("3000.00")  # March's, today
    assert sum(w.recurring_out for w in r.weeks) == D("9000.00")
    # Scheduling it later changes when March's rent goes, not which month it is.
    later = bill("R3", date(2025, 3, 1), "3000.00", vendor="v-rent", scheduled=date(2025, 3, 28))
    r = run(moves, open_bills=(later,))
    assert sum(w.recurring_out for w in r.weeks) == D("9000.00")


def test_a_payment_made_today_is_not_projected_again_today():
    """Payroll every 14 days, run this morning: the balance already paid it, so the next one
    is in two weeks (it was projected today as well, 6,000 counted twice). Today's payment
    still stays out of the burn's trailing window, which ends before today."""
    moves = [out(AS_OF - timedelta(days=14 * k), "6000.00", who="Gusto", kind="payroll")
             for k in range(8)]
    r = run(moves)
    gusto = series_of(r)["name:gusto"]
    assert gusto.dates[0] == AS_OF + timedelta(days=14)
    assert r.weeks[0].recurring_out == D("0.00")
    assert r.burn.outflow_total == D("36000.00")  # six runs in the 90 days before today


def test_overrides_dismiss_confirm_edit_and_add():
    moves = [out(date(2025, m, 5), "40.00", who="Zoom") for m in (1, 2, 3)]
    moves += [out(date(2024, m, 3), "70.00", who="Gone") for m in (4, 5, 6, 7)]
    base = series_of(run(moves))
    assert base["name:zoom"].counts and not base["name:gone"].counts

    r = run(
        moves,
        series_overrides=(
            SeriesOverride("name:zoom", "dismissed"),
            SeriesOverride("name:gone", "confirmed"),  # stale but confirmed: counts again
            SeriesOverride(
                "manual:payroll-tax",
                "confirmed",
                name="Payroll tax",
                cadence="monthly",
                amount=D("1500.00"),
                next_date=date(2025, 3, 20),
            ),
            SeriesOverride("name:vanished", "confirmed"),  # nothing to project from
        ),
    )
    s = series_of(r)
    assert s["name:zoom"].status == "dismissed" and s["name:zoom"].dates == ()
    assert s["name:gone"].status == "confirmed" and s["name:gone"].dates[0] == date(2025, 4, 3)
    manual = s["manual:payroll-tax"]
    assert manual.dates == (date(2025, 3, 20), date(2025, 4, 20), date(2025, 5, 20))
    assert r.weeks[1].recurring_out == D("1500.00")
    assert [f.ref for f in r.flags if f.code == "series_unprojectable"] == ["name:vanished"]

    edited = series_of(
        run(
            moves,
            series_overrides=(
                SeriesOverride("name:zoom", "confirmed", amount=D("45.00"), cadence="quarterly"),
            ),
        )
    )
    zoom = edited["name:zoom"]
    assert (zoom.status, zoom.cadence, zoom.amount) == ("edited", "quarterly", D("45.00"))
    assert zoom.dates == (date(2025, 6, 5),)
