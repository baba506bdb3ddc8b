"""The one entry point: ``compute_runway(inputs, as_of)``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from .aging import age, days_outstanding, trailing_totals
from .burn import BurnFacts, compute_burn
from .cards import card_facts, owed_by_account
from .cash import AccountBook, reserved_total
from .convert import require_home, to_home
from .forecast import Flag, Forecast, build_forecast
from .habits import habits_from_stats, paid_stats_of
from .inputs import RunwayInputs
from .journal import journal_movements
from .money import fmt_money, to_tenth
from .recurring import RecurringSeries, detect_series
from .result import HistoryFacts, RunwayResult
from .weeks import horizon


def outflow_facts(
    inputs: RunwayInputs, as_of: date
) -> tuple[BurnFacts, tuple[RecurringSeries, ...]]:
    """Burn and recurring series: the part of the history facts that needs only the accounts,
    movements and overrides (not the paid invoices) — so a caller may compute it while the
    paid-invoice statistics are still being read. Foreign money is converted first."""
    inputs = to_home(inputs, as_of)
    book = AccountBook(inputs.accounts)
    movements = inputs.movements
    if inputs.journal_entries:
        movements = tuple(movements) + tuple(journal_movements(inputs.journal_entries, book))
    burn = compute_burn(book, movements, as_of)
    _, end = horizon(as_of)
    return burn, tuple(detect_series(burn.outflows, inputs.series_overrides, as_of, end))


def history_facts(
    inputs: RunwayInputs,
    as_of: date,
    *,
    outflows: tuple[BurnFacts, tuple[RecurringSeries, ...]] | None = None,
) -> HistoryFacts:
    """Burn, habits and recurring series: the O(history) part no decision can change.
    ``outflows``: ``outflow_facts(inputs, as_of)`` when already computed."""
    inputs = to_home(inputs, as_of)
    burn, series = outflows or outflow_facts(inputs, as_of)
    names = {inv.customer_id: inv.customer_name for inv in inputs.open_invoices}
    stats = inputs.paid_stats
    if stats is None:  # row-level input (engine tests, callers without SQL): reduce it here
        stats = paid_stats_of(inputs.paid_invoices, as_of)
    habits = habits_from_stats(stats, names)
    return HistoryFacts(as_of=as_of, burn=burn, habits=habits, series=series)


def runway_days(available: Decimal, daily_burn: Decimal) -> Decimal | None:
    """Available ÷ daily burn, one decimal; None ("no burn") when the burn is 0.00."""
    if daily_burn <= 0:
        return None
    return to_tenth(available / daily_burn)


def _runway_sentence(
    cash: Decimal,
    reserved: Decimal,
    available: Decimal,
    burn: Decimal,
    days: Decimal | None,
    currency: str,
) -> str:
    money = f"You have {fmt_money(available, currency)} available"
    if reserved:
        money += (
            f" ({fmt_money(cash, currency)} in the bank minus "
            f"{fmt_money(reserved, currency)} set aside in reserves)"
        )
    if days is None:
        return money + ". No money went out in the last 90 days, so there is no burn to measure."
    return (
        f"{money}. At {fmt_money(burn, currency)} a day of spending, that lasts "
        f"{days} days if nothing came in."
    )


def compute_runway(
    inputs: RunwayInputs, as_of: date, *, history: HistoryFacts | None = None
) -> RunwayResult:
    """Everything of DESIGN §4 for ``as_of`` (the business's local today). Pure.

    ``history`` may be passed from an earlier call with the same history inputs and ``as_of``
    (what ``impact`` and scenarios do) to skip the O(history) part.
    """
    inputs = to_home(inputs, as_of)
    require_home(inputs)
    if history is None:
        history = history_facts(inputs, as_of)
    elif history.as_of != as_of:
        raise ValueError("history facts were computed for another as_of date")

    book = AccountBook(inputs.accounts)
    cash = book.cash + inputs.adjustment_total
    reserved = reserved_total(inputs.reserves)
    available = cash - reserved
    daily_burn = history.burn.daily_burn
    days = runway_days(available, daily_burn)

    forecast = build_forecast(
        as_of=as_of,
        available=available,
        invoices=inputs.open_invoices,
        bills=inputs.open_bills,
        habits=history.habits,
        series=history.series,
        credits=inputs.vendor_credits,
        customer_credits=inputs.customer_credits,
        card_owed=owed_by_account(book),
    )
    conversion = inputs.conversion
    missing = _unprojectable_overrides(inputs, history)
    if conversion is not None:
        missing = list(conversion.flags) + missing
    if missing:
        forecast = _with_flags(forecast, missing)

    ar_aging = age(((i.effective_due, i.balance) for i in inputs.open_invoices), as_of)
    ap_aging = age(((b.effective_due, b.balance) for b in inputs.open_bills), as_of)
    sales, purchases = trailing_totals(inputs.issued, as_of)
    habits = tuple(
        sorted(
            history.habits.by_customer.values(),
            key=lambda h: (h.customer_name.casefold(), h.customer_id),
        )
    )
    return RunwayResult(
        as_of=as_of,
        currency=inputs.currency,
        cash=cash,
        reserved=reserved,
        available=available,
        daily_burn=daily_burn,
        runway_days=days,
        runway_sentence=_runway_sentence(
            cash, reserved, available, daily_burn, days, inputs.currency
        ),
        forecast=forecast,
        ar_aging=ar_aging,
        ap_aging=ap_aging,
        dso=days_outstanding(ar_aging.total, sales),
        dpo=days_outstanding(ap_aging.total, purchases),
        accounts=tuple(sorted(book.views.values(), key=lambda v: v.identity)),
        habits=habits,
        history=history,
        cards=card_facts(book, forecast),
        currency_notes=conversion.notes if conversion is not None else (),
    )


def _unprojectable_overrides(inputs: RunwayInputs, history: HistoryFacts) -> list[Flag]:
    known = {s.key for s in history.series}
    return [
        Flag(
            "series_unprojectable",
            ov.key,
            f"The confirmed recurring payment {ov.name or ov.key} is no longer seen in the bank "
            "history; give it a cadence, amount and next date to keep it in the forecast.",
        )
        for ov in inputs.series_overrides
        if ov.status == "confirmed" and ov.key not in known
    ]


def _with_flags(forecast: Forecast, extra: list[Flag]) -> Forecast:
    return replace(forecast, flags=forecast.flags + tuple(extra))
