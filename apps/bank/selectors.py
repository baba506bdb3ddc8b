"""Read paths of the bank feed: health/states for staff and owner, and the tray causes.

`bank_tray_source` is this app's tray cause source (plugged in `oodaloo/wiring.py`; the
contract is `apps/core/tray_causes.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models.functions import Abs
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.bank.models import FeedAccount
from apps.bank.services.feed_items import NEEDS_RECONNECT, Status, items_for
from apps.bank.services.reconcile import unmatched_queryset
from apps.core.money import format_money
from apps.core.tray_causes import TrayCause, TrayContext, TrayKind
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.tray_causes import CONNECTION

# A feed that has not synced for this long has "stopped": staff and owner see it, and the
# runway should fall back to QBO for its accounts (see docs/bank-feeds.md).
BANK_UNMATCHED = TrayKind("bank_unmatched", "Bank transaction with no record in QuickBooks")
BANK_LINK = TrayKind("bank_link", "Bank account link to confirm")
STALE_AFTER = timedelta(days=2)
UNMATCHED_LOOKBACK_DAYS = 60
UNMATCHED_ITEMS_MAX = 20


@dataclass(frozen=True)
class FeedHealth:
    item_id: str
    institution: str
    state: str  # ok | never_synced | stale | login_required | pending_expiration | disconnected
    sentence: str
    last_sync_at: datetime | None
    last_error: str
    accounts: int


def feed_state(item: PlaidItem, now: datetime | None = None) -> tuple[str, str]:
    now = now or timezone.now()
    if item.status == Status.DISCONNECTED:
        return "disconnected", "Disconnected; QuickBooks figures are used."
    if item.status == Status.LOGIN_REQUIRED:
        return "login_required", "The bank needs you to sign in again (reconnect)."
    if item.last_sync_at is None:
        return "never_synced", "Connected; the first sync has not finished."
    if now - item.last_sync_at > STALE_AFTER:
        return "stale", f"No update from the bank since {item.last_sync_at:%b %-d}."
    if item.status == Status.PENDING_EXPIRATION:
        # Still delivering fresh data: usable, but the owner must reconnect before it expires.
        return "pending_expiration", "The bank's consent expires soon; reconnect to keep it."
    return "ok", "Up to date."


# States whose balances and transactions the runway may count.
USABLE_STATES = frozenset({"ok", "pending_expiration"})


def feed_health(business, now: datetime | None = None) -> list[FeedHealth]:
    """One row per Plaid item (staff health page, owner settings)."""
    items = list(items_for(business, active_only=False))
    with tenant_context(business):
        counts: dict[str, int] = {}
        for item_id in FeedAccount.objects.filter(removed=False).values_list("item_id",
                                                                              flat=True):
            counts[item_id] = counts.get(item_id, 0) + 1
    out = []
    for item in items:
        state, sentence = feed_state(item, now)
        out.append(FeedHealth(item.item_id, item.institution_name, state, sentence,
                              item.last_sync_at, item.last_error, counts.get(item.item_id, 0)))
    return out


def feed_reconnect_prompts(business) -> list[PlaidItem]:
    """Items whose owner must go through Link again (portal banner, tray, staff health)."""
    return list(items_for(business).filter(status__in=list(NEEDS_RECONNECT)))


def stale_item_ids(business, now: datetime | None = None) -> set[str]:
    """Items whose feed stopped: the runway should not trust their balances/movements."""
    return {i.item_id for i in items_for(business) if feed_state(i, now)[0] not in USABLE_STATES}


def _unmatched_title(amount: Decimal, day: date, currency: str) -> str:
    money = format_money(abs(amount), currency)
    moved = "left the bank" if amount > 0 else "arrived in the bank"
    return f"{money} {moved} on {day:%b} {day.day} with no record in QuickBooks"


def bank_tray_causes(business, as_of: date, now: datetime | None = None) -> list[TrayCause]:
    """Reconnect prompts, stopped feeds, links to confirm, and unmatched bank transactions."""
    currency = business.currency or "USD"
    out: list[TrayCause] = []
    for item in items_for(business):
        state, sentence = feed_state(item, now)
        name = item.institution_name or "your bank"
        if state in ("login_required", "pending_expiration"):
            out.append(TrayCause(
                f"connection:plaid:{item.item_id}:reconnect"[:120], CONNECTION.value, Decimal(3),
                f"Reconnect {name}", sentence,
                impact_sentence="No runway change; until you reconnect, bank figures are frozen.",
                target_type="plaid_item", target_id=str(item.pk),
            ))
        elif state == "stale":
            out.append(TrayCause(
                f"connection:plaid:{item.item_id}:stale"[:120], CONNECTION.value, Decimal(1),
                f"{name} stopped sending updates", sentence,
                impact_sentence="Runway uses QuickBooks figures for these accounts meanwhile.",
                target_type="plaid_item", target_id=str(item.pk),
            ))
    with tenant_context(business):
        for feed in FeedAccount.objects.filter(
            removed=False, link_confirmed=False, suggested_account__isnull=False
        ).select_related("suggested_account"):
            out.append(TrayCause(
                f"bank_link:{feed.pk}", BANK_LINK.value, Decimal(2),
                f"Is {feed.name} ••{feed.mask} the same account as "
                f"{feed.suggested_account.name} in QuickBooks?",
                f"Matched by {feed.suggestion_reason}." if feed.suggestion_reason else "",
                impact_sentence="Confirming lets the bank's own balance count (once).",
                target_type="feed_account", target_id=str(feed.pk),
            ))
    since = as_of - timedelta(days=UNMATCHED_LOOKBACK_DAYS)
    with tenant_context(business):  # largest first, bounded in SQL (the feed can be 100k rows)
        unmatched = list(
            unmatched_queryset(as_of).filter(date__gte=since)
            .order_by(Abs("amount").desc(), "date", "pk")[:UNMATCHED_ITEMS_MAX]
        )
    for txn in unmatched:
        out.append(TrayCause(
            f"bank_txn:{txn.transaction_id}"[:120], BANK_UNMATCHED.value, abs(txn.amount),
            _unmatched_title(txn.amount, txn.date, txn.currency or currency),
            f"{txn.merchant_name or txn.name} on {txn.feed_account.name} "
            f"••{txn.feed_account.mask}. Record it in QuickBooks or mark it as expected."[:300],
            amount=txn.amount, due_date=txn.date,
            impact_sentence="Already in your bank balance; recording it keeps burn honest.",
            target_type="bank_transaction", target_id=str(txn.pk),
        ))
    return out


def bank_tray_source(ctx: TrayContext) -> list[TrayCause]:
    """Feed problems, account links to confirm and bank money QuickBooks doesn't know about."""
    return bank_tray_causes(ctx.business, ctx.today)


# Worst first: the state a summary row reports when a business has several bank logins.
_STATE_ORDER = ("login_required", "disconnected", "stale", "pending_expiration", "never_synced",
                "ok")


def bank_feed_summary(business, now: datetime | None = None) -> dict:
    """Bank-feed health for the public summary row (apps/tenancy/summary.py): the worst
    state of the business's linked banks, the oldest last sync and the first error."""
    items = list(items_for(business))
    if not items:
        return {"bank_feed_status": "", "bank_feed_synced_at": None, "bank_feed_error": ""}
    states = [feed_state(i, now)[0] for i in items]
    synced = [i.last_sync_at for i in items if i.last_sync_at is not None]
    return {
        "bank_feed_status": min(states, key=_STATE_ORDER.index),
        "bank_feed_synced_at": min(synced) if synced else None,
        "bank_feed_error": next((i.last_error for i in items if i.last_error), ""),
    }
