"""Every input in three round trips (statements sent without waiting on Django's own
connection)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils import timezone

from apps.core.pending_sql import PendingStatements, aside_allowed
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
    CUSTOMER_CREDITS_SQL,
    JOURNAL_SQL,
    RATES_SQL,
    VENDOR_CREDITS_SQL,
    customer_credits,
    journal_entries,
    rates,
    vendor_credits,
)

# --- everything ------------------------------------------------------------------------------


@dataclass
class StartedInputs:
    """Every input but the paid-invoice statistics, which Postgres is still computing."""

    inputs: RunwayInputs
    _pending: PendingStatements
    as_of: date

    def finish(self) -> RunwayInputs:
        """Every input, foreign money converted to home (`engine.to_home`): whoever uses them
        next — the engine, a decision, a scenario — sees home money only."""
        inputs = replace(self.inputs, paid_stats=_paid_stats(self._pending.rows()))
        return to_home(inputs, self.as_of)


# The first batch: the accounts and every input that does not depend on them but the habit
# statistics (in this order).
FIRST = [ACCOUNTS_SQL, JOURNAL_SQL, OVERRIDES_SQL, RATES_SQL, OPEN_INVOICES_SQL, OPEN_BILLS_SQL,
         ISSUED_SQL, RESERVES_SQL, VENDOR_CREDITS_SQL, CUSTOMER_CREDITS_SQL]


def runway_inputs_started(*, as_of: date, currency: str = "USD") -> StartedInputs:
    """All inputs of the current business (run inside its schema) but the habit statistics,
    whose statement — by far the slowest (a sort of two years of paid invoices) — is left
    running: the caller computes burn and recurring series meanwhile, then calls `finish()`.
    Three round trips, whatever the size of the books, each sent before Python builds the
    previous one's inputs: (1) the accounts and every input not depending on them; (2) the
    movements of the accounts that feed burn (the accounts decide which) — Python builds (1)'s
    inputs meanwhile; (3) the habit statistics — left running while the caller builds the
    movements and computes burn and recurring series. Outside a transaction block (3) is sent
    first, on a second connection (`apps.core.pending_sql`, "aside"), so it runs in parallel."""
    tables = _tables()
    params = {"as_of": as_of, **_window_params(as_of), **_paid_params(as_of),
              "issued_start": as_of - timedelta(days=ISSUED_DAYS), "home": currency}

    def batch(statements: list[str], aside: bool = False) -> PendingStatements:
        return PendingStatements([stmt.format(**tables) for stmt in statements], params,
                                 aside=aside)

    # Outside a transaction block the habit statistics start first, on a second connection:
    # Postgres computes them on another core while this one serves the other two batches.
    paid = batch([PAID_STATS_SQL], aside=True) if aside_allowed() else None
    try:
        first = batch(FIRST)
        (accounts, journal, overrides, fx, invoices, bills, issued, reserves,
         credits, owed_back) = (first.rows() for _ in FIRST)
        found = _accounts(accounts, currency, timezone.now())
        params.update(_movement_params(as_of, found.accounts))
        moves = batch([MOVEMENTS_SQL, CARD_AND_REFUND_SQL])
        try:
            inputs = RunwayInputs(
                accounts=tuple(found.accounts),
                open_invoices=tuple(_open_invoices(invoices, currency)),
                open_bills=tuple(_open_bills(bills, currency)),
                issued=tuple(_issued(issued)),
                reserves=tuple(_reserves(reserves)),
                series_overrides=tuple(_overrides(overrides)),
                currency=currency,
                journal_entries=tuple(journal_entries(journal, currency)),
                vendor_credits=tuple(vendor_credits(credits, currency)),
                customer_credits=tuple(customer_credits(owed_back, currency)),
                rates=tuple(rates(fx)),
            )
            movements = moves.rows()
            movements += moves.rows()  # card payments and refunds, shaped like movements
        finally:
            moves.close()
        paid = paid or batch([PAID_STATS_SQL])
        inputs = replace(inputs, movements=tuple(_movements(movements, found.aliases)))
    except BaseException:
        if paid is not None:
            paid.close()  # the connection is free again before the error goes on
        raise
    return StartedInputs(inputs, paid, as_of)


def runway_inputs(*, as_of: date, currency: str = "USD") -> RunwayInputs:
    """All engine inputs of the current business (run inside its schema): three round trips,
    whatever the size of the books."""
    return runway_inputs_started(as_of=as_of, currency=currency).finish()
