"""How risky a client looks this week, from its public summary row alone (no schema reads).

The score adds points for each warning sign and the portfolio sorts by it (highest first, then
fewest runway days, then name). The reasons are the same signs in words, shown on the page, in
the CSV and in the firm digest. Thresholds are product choices, written in docs/firm.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from apps.core.money import format_money

ZERO = Decimal("0")
STALE_SYNC = timedelta(days=2)
TOKEN_WARNING = timedelta(days=14)
DIGEST_UNREAD = timedelta(days=14)
RUNWAY_BANDS = ((30, 60), (60, 40), (90, 25), (180, 10))  # (under N days, points)


@dataclass
class Risk:
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    sync_ok: bool = True
    bank_ok: bool = True

    def add(self, points: int, reason: str) -> None:
        self.score += points
        self.reasons.append(reason)


def _runway(summary, risk: Risk, today: date) -> None:
    if summary.cash_zero_week is not None:
        weeks = max(0, (summary.cash_zero_week - today).days // 7)
        risk.add(100 - min(weeks, 13) * 5,
                 f"Available cash runs out the week of {summary.cash_zero_week:%b %-d}")
    if summary.runway_days is not None:
        for limit, points in RUNWAY_BANDS:
            if summary.runway_days < limit:
                risk.add(points, f"{summary.runway_days} days of runway")
                break
    if summary.low_point is not None and summary.low_point < ZERO:
        reserved = summary.reserved or ZERO
        if reserved > ZERO and summary.low_point + reserved >= ZERO:
            risk.add(20, f"Dips into reserves (low point "
                         f"{format_money(summary.low_point, summary.currency)})")
        else:
            risk.add(30, f"Low point {format_money(summary.low_point, summary.currency)}"
                         + (" even with reserves" if reserved > ZERO else ""))


def _money_and_work(summary, risk: Risk) -> None:
    overdue = summary.overdue_ar or ZERO
    if overdue > ZERO:
        cash = max(summary.cash or ZERO, Decimal("1"))
        risk.add(10 + min(20, int(overdue / cash * 20)),
                 f"{format_money(overdue, summary.currency)} overdue from customers")
    if summary.tray_waiting:
        risk.add(min(summary.tray_waiting, 10), f"{summary.tray_waiting} decisions waiting")


def _health(business, summary, risk: Risk, now: datetime) -> None:
    if business.last_error:
        risk.sync_ok = False
        risk.add(15, "QuickBooks sync failing")
    elif business.last_sync_at is None or now - business.last_sync_at > STALE_SYNC:
        risk.sync_ok = False
        risk.add(15, "QuickBooks not synced in 2 days")
    if business.token_expires_at is not None and business.token_expires_at - now < TOKEN_WARNING:
        risk.add(5, "QuickBooks access expires soon")
    if summary.bank_feed_status not in ("", "ok"):
        risk.bank_ok = False
        risk.add(10, f"Bank feed: {summary.bank_feed_status.replace('_', ' ')}")
    if summary.digest_sent_at is not None and (
        summary.digest_opened_at is None or now - summary.digest_opened_at > DIGEST_UNREAD
    ):
        risk.add(5, "Digest not opened lately")


def risk_of(business, summary, *, today: date, now: datetime) -> Risk:
    """The risk of one client; ``summary`` None (never refreshed) ranks first: unknown."""
    risk = Risk()
    if summary is None:
        risk.add(200, "No figures yet (no sync finished)")
        risk.sync_ok = business.last_sync_at is not None and not business.last_error
        return risk
    _runway(summary, risk, today)
    _money_and_work(summary, risk)
    _health(business, summary, risk, now)
    return risk
