"""What a domain contributes to the Prep Tray: its *causes* and the *kinds* they raise
(DESIGN §4, docs/architecture.md "Wiring order").

Each domain owns a cause source, ``source(ctx: TrayContext) -> list[TrayCause]``, and declares
the kinds it raises (``TrayKind``: stored value and the owner's label) beside it; both are
plugged in ``oodaloo/wiring.py`` (hook points ``TRAY_CAUSES`` and ``TRAY_KINDS``), and the kinds
are ``TrayItem.kind``'s choices. The tray (a higher layer) calls every source, ranks the causes
(tier by ``rank or kind``, then score) and keeps the owner's decisions; it builds none itself.
To add a cause: write the source and its kind in the app that owns the data, give the kind a
tier in ``apps/tray/services.py`` (``TIER``, the ranking across domains), plug both in the wiring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from apps.core import hooks
from apps.core.money import format_money

TRAY_CAUSES = "tray.causes"
TRAY_KINDS = "tray.kinds"


@dataclass(frozen=True)
class TrayKind:
    """A kind of tray item, declared by the domain that raises it."""

    value: str  # stored in TrayItem.kind
    label: str  # what the owner reads (admin, API schema)


def kind_choices() -> list[tuple[str, str]]:
    """``TrayItem.kind``'s choices: every kind plugged in the wiring, in its order."""
    return [(kind.value, kind.label) for kind in hooks.plugged(TRAY_KINDS)]


@dataclass(frozen=True)
class TrayCause:
    """One thing the owner should decide; ``key`` names the cause (``bill:42``) so regeneration
    updates the same tray row."""

    key: str
    kind: str  # a TrayKind.value
    score: Decimal  # higher first within the tier
    title: str
    detail: str = ""
    amount: Decimal | None = None
    due_date: date | None = None
    impact_days: Decimal | None = None
    impact_sentence: str = ""
    target_type: str = ""
    target_id: str = ""
    rank: str = ""  # the tray's tier key when it is not ``kind`` ("bill_urgent", "bill_soon")


@dataclass(frozen=True)
class TrayContext:
    """What every source may read besides its own tables (the schema is the business's)."""

    business: Any
    today: date
    now: datetime
    # The runway's result (None when it failed: the tray is still useful without impacts). Typed
    # loosely because the runway sits above the domains that read it.
    result: Any
    # Sets ``today_home_balance`` on foreign bills/invoices at today's rate (apps/runway/rates).
    today_rates: Callable[[Iterable[Any], str, date], None]

    @property
    def currency(self) -> str:
        return self.business.currency or "USD"

    @property
    def burn(self) -> Decimal | None:
        return self.result.daily_burn if self.result is not None else None

    @property
    def late_by_customer(self) -> dict[str, int]:
        """Average days late per customer QBO id, from the runway's payment habits."""
        if self.result is None:
            return {}
        return {h.customer_id: h.avg_days_late for h in self.result.habits}


def cash_impact(delta: Decimal, burn: Decimal | None, what: str, currency: str):
    """(days, sentence) for a decision that moves ``delta`` of cash today (Δcash ÷ daily burn,
    DESIGN §4)."""
    verb = "adds" if delta >= 0 else "takes"
    money = format_money(abs(delta), currency)
    if not burn or burn <= 0:
        return None, f"{what} {verb} {money} {'to' if delta >= 0 else 'from'} available cash."
    days = (delta / burn).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)  # as the engine
    if days == 0:
        days = abs(days)
    return days, (
        f"{what} {verb} {money} {'to' if delta >= 0 else 'from'} available cash: "
        f"{days:+} days of runway at {format_money(burn, currency)} a day of burn."
    )
