"""Reminders wait for fresh books (docs/collections.md "Fresh books"): a reminder says what the
customer owes as QuickBooks last told us, so while QuickBooks needs reconnecting, is
disconnected or has not synced for BOOKS_STALE_HOURS, the day's reminders are held — a customer
who paid meanwhile must not get a final notice. The held day goes out once fresh data arrives
(the plan catches up steps of the last 3 days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from apps.core.dates import business_now
from apps.integrations.sync.models import QboConnection
from apps.tenancy.models import Business

# The automation rules' default bound for "stale books" and the staff console's
# (STAFF_SYNC_STALE_HOURS): a day's syncs may fail for a while, a whole day may not.
BOOKS_STALE_HOURS = 26
Status = QboConnection.Status


@dataclass(frozen=True)
class BooksHold:
    reason: str  # reconnect, disconnected, never, stale
    hours: int | None  # how old the QuickBooks data is; None before the first sync

    @property
    def sentence(self) -> str:
        age = (f"QuickBooks data is {self.hours} hours old" if self.hours is not None
               else "QuickBooks has not finished a sync yet")
        fix = {"reconnect": "QuickBooks needs reconnecting",
               "disconnected": "QuickBooks is disconnected"}.get(self.reason)
        return (f"Reminders paused: {fix} ({age}) — reconnect it" if fix
                else f"Reminders paused: {age} — sync QuickBooks (or reconnect it)") + \
            "; the held reminders go out once fresh data arrives."


def books_hold_of(last_sync_at: datetime | None, conn_status: str | None,
                  now: datetime) -> BooksHold | None:
    """None when reminders may go. A business never connected (`conn_status` None) has no
    QuickBooks books to be stale."""
    if conn_status is None:
        return None
    hours = None if last_sync_at is None else int((now - last_sync_at).total_seconds() // 3600)
    if conn_status == Status.DISCONNECTED:
        return BooksHold("disconnected", hours)
    if conn_status == Status.NEEDS_RECONNECT:  # a refresh was refused: no sync can run
        return BooksHold("reconnect", hours)
    if last_sync_at is None:
        return BooksHold("never", None)
    if now - last_sync_at > timedelta(hours=BOOKS_STALE_HOURS):
        return BooksHold("stale", hours)
    return None


def books_hold(business: Business, now: datetime | None = None) -> BooksHold | None:
    """The business's hold as stored now (one query; the caller's row may be old)."""
    row = Business.objects.filter(pk=business.pk).values(
        "last_sync_at", "qbo_connection__status").first() or {}
    return books_hold_of(row.get("last_sync_at"), row.get("qbo_connection__status"),
                         now or business_now())
