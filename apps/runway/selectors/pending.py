"""Every input in three round trips (statements sent without waiting on Django's own
connection)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils import timezone

from apps.core.pending_sql import PendingStatements
from apps.runway.engine import (
    RunwayInputs,
)
from apps.runway.engine.convert import to_home
from apps.runway.selectors.accounts import ACCOUNTS_SQL, _accounts
from apps.runway.selectors.base import ISSUED_DAYS, _tables
from apps.runway.selectors.documents import (
    ISSUED_SQL,
    OPEN_BILLS_SQL,
    OPEN_INVOICES_SQL,
    PAID_STATS_SQL,
    _issued,
    _open_bills,
    _open_invoices,
    _paid_params,
    _paid_stats,
)
from apps.runway.selectors.movements import (
    MOVEMENTS_SQL,
    _movement_params,
    _movements,
    _window_params,
)
from apps.runway.selectors.owner import OVERRIDES_SQL, RESERVES_SQL, _overrides, _reserves
from apps.runway.selectors.real_books import (
    CARD_AND_REFUND_SQL,
    JOURNAL_SQL,
    RATES_SQL,
    VENDOR_CREDITS_SQL,
    journal_entries,
    rates,
    vendor_credits,
)

# --- everything ------------------------------------------------------------------------------


@dataclass
class StartedInputs:
    """The inputs burn and recurring series need; Postgres is still computing the others (open
    documents, reserves, vendor credits and the paid-invoice statistics)."""

    inputs: RunwayInputs
    _pending: PendingStatements
    as_of: date

    def finish(self) -> RunwayInputs:
        """Every input, foreign money converted to home (`engine.to_home`): whoever uses them
        next — the engine, a decision, a scenario — sees home money only."""
        rest, home = self._pending, self.inputs.currency
        inputs = replace(
            self.inputs,
            paid_stats=_paid_stats(rest.rows()),
            open_invoices=tuple(_open_invoices(rest.rows(), home)),
            open_bills=tuple(_open_bills(rest.rows(), home)),
            issued=tuple(_issued(rest.rows())),
            reserves=tuple(_reserves(rest.rows())),
            vendor_credits=tuple(vendor_credits(rest.rows(), home)),
        )
        return to_home(inputs, self.as_of)


# The last batch: what only the forecast, habits and aging need (`StartedInputs.finish` reads
# them in this order).
REST = [PAID_STATS_SQL, OPEN_INVOICES_SQL, OPEN_BILLS_SQL, ISSUED_SQL, RESERVES_SQL,
        VENDOR_CREDITS_SQL]


def runway_inputs_started(*, as_of: date, currency: str = "USD") -> StartedInputs:
    """The inputs of the current business (run inside its schema) that burn and recurring
    series need; the others are left running in Postgres while the caller computes those, then
    `finish()` reads them. Three round trips, whatever the size of the books: (1) the accounts
    with the journal lines, overrides and rates (what else burn needs); (2) the movements of the
    accounts that feed burn (the accounts decide which) — Python builds (1)'s inputs meanwhile;
    (3) the rest — the habit statistics, by far the slowest (a sort of two years of paid
    invoices), and the open documents — left running while the caller builds the movements and
    computes burn and recurring series."""
    tables = _tables()
    params = {"as_of": as_of, **_window_params(as_of), **_paid_params(as_of),
              "issued_start": as_of - timedelta(days=ISSUED_DAYS), "home": currency}

    def batch(statements: list[str]) -> PendingStatements:
        return PendingStatements([stmt.format(**tables) for stmt in statements], params)

    first = batch([ACCOUNTS_SQL, JOURNAL_SQL, OVERRIDES_SQL, RATES_SQL])
    accounts, journal, overrides, fx = (first.rows() for _ in range(4))
    found = _accounts(accounts, currency, timezone.now())
    params.update(_movement_params(as_of, found.accounts))
    moves = batch([MOVEMENTS_SQL, CARD_AND_REFUND_SQL])
    try:
        journal = tuple(journal_entries(journal, currency))
        overrides = tuple(_overrides(overrides))
        fx = tuple(rates(fx))
        movements = moves.rows()
        movements += moves.rows()  # card payments and refunds, shaped like movements
    finally:
        moves.close()
    rest = batch(REST)
    try:
        inputs = RunwayInputs(
            accounts=tuple(found.accounts),
            movements=tuple(_movements(movements, found.aliases)),
            series_overrides=overrides,
            currency=currency,
            journal_entries=journal,
            rates=fx,
        )
    except BaseException:
        rest.close()  # the connection is free again before the error goes on
        raise
    return StartedInputs(inputs, rest, as_of)


def runway_inputs(*, as_of: date, currency: str = "USD") -> RunwayInputs:
    """All engine inputs of the current business (run inside its schema): three round trips,
    whatever the size of the books."""
    return runway_inputs_started(as_of=as_of, currency=currency).finish()
