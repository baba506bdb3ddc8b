"""Every input in one pipeline (statements sent without waiting on Django's own connection)."""

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
    """Every input but the paid-invoice statistics, which Postgres is still computing."""

    inputs: RunwayInputs
    _pending: PendingStatements
    as_of: date

    def finish(self) -> RunwayInputs:
        """Every input, foreign money converted to home (`engine.to_home`): whoever uses them
        next — the engine, a decision, a scenario — sees home money only."""
        inputs = replace(self.inputs, paid_stats=_paid_stats(self._pending.rows()))
        return to_home(inputs, self.as_of)


def runway_inputs_started(*, as_of: date, currency: str = "USD") -> StartedInputs:
    """All inputs of the current business (run inside its schema) but the habit statistics,
    whose statement — by far the slowest (a sort of two years of paid invoices) — runs last and
    is left running: the caller computes burn and recurring series meanwhile, then calls
    `finish()`. One pipeline, two sends: the accounts and every input that does not depend on
    them; then, once the accounts are read (they decide which accounts' movements feed burn),
    the movements and the habit statistics. Postgres hands each result over as soon as it is
    done, so building the inputs overlaps with the statements still running."""
    tables = _tables()
    params = {"as_of": as_of, **_window_params(as_of), **_paid_params(as_of),
              "issued_start": as_of - timedelta(days=ISSUED_DAYS), "home": currency}
    first = [ACCOUNTS_SQL, OPEN_INVOICES_SQL, OPEN_BILLS_SQL, ISSUED_SQL, RESERVES_SQL,
             OVERRIDES_SQL, JOURNAL_SQL, VENDOR_CREDITS_SQL, RATES_SQL]
    pipe = PendingStatements([stmt.format(**tables) for stmt in first], params)
    try:
        found = _accounts(pipe.rows(), currency, timezone.now())
        params.update(_movement_params(as_of, found.accounts))
        pipe.send([stmt.format(**tables) for stmt in (MOVEMENTS_SQL, CARD_AND_REFUND_SQL,
                                                       PAID_STATS_SQL)], params)
        invoices = tuple(_open_invoices(pipe.rows(), currency))
        bills = tuple(_open_bills(pipe.rows(), currency))
        issued = tuple(_issued(pipe.rows()))
        reserves = tuple(_reserves(pipe.rows()))
        overrides = tuple(_overrides(pipe.rows()))
        journal = tuple(journal_entries(pipe.rows(), currency))
        credits = tuple(vendor_credits(pipe.rows(), currency))
        fx = tuple(rates(pipe.rows()))
        movements = pipe.rows()
        movements += pipe.rows()  # card payments and refunds, shaped like movements
        inputs = RunwayInputs(
            accounts=tuple(found.accounts),
            movements=tuple(_movements(movements, found.aliases)),
            open_invoices=invoices,
            open_bills=bills,
            issued=issued,
            reserves=reserves,
            series_overrides=overrides,
            currency=currency,
            journal_entries=journal,
            vendor_credits=credits,
            rates=fx,
        )
    except BaseException:
        pipe.close()  # the connection is free again before the error goes on
        raise
    return StartedInputs(inputs, pipe, as_of)


def runway_inputs(*, as_of: date, currency: str = "USD") -> RunwayInputs:
    """All engine inputs of the current business (run inside its schema): three round trips,
    whatever the size of the books."""
    return runway_inputs_started(as_of=as_of, currency=currency).finish()
