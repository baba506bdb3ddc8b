"""A bank connection's item as the feed sees it: the Plaid client for its host, its feed
accounts, its state (and the states that ask the owner to reconnect).

Shared by connecting (``feed_connect``) and syncing (``feed_sync``); it imports neither, so the
two do not import each other in a cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.bank.models import FeedAccount
from apps.core import hooks
from apps.core.enqueue import ALERTS_EVALUATE, enqueue_for
from apps.integrations.plaid.client import PlaidClient
from apps.integrations.plaid.dtos import AccountDTO
from apps.integrations.plaid.errors import PlaidError
from apps.integrations.plaid.models import PlaidItem

log = logging.getLogger(__name__)
Status = PlaidItem.Status
# Item states that ask the owner to go through Link again (update mode).
NEEDS_RECONNECT = {Status.LOGIN_REQUIRED, Status.PENDING_EXPIRATION}


# Hook point: who follows the feed (the tray, plugged in oodaloo/wiring.py). Called after a
# feed sync and after a link is confirmed or undone, i.e. whenever bank history, the balance
# that counts or the daily burn may have moved. Same idea as the QBO sync's finalisers.
FEED_CHANGED = "bank.feed_changed"


def feed_changed(business) -> None:
    """Tell the listeners; one that fails is logged and never fails the sync or the link."""
    for handler in hooks.plugged(FEED_CHANGED):
        try:
            handler(business)
        except Exception:
            log.exception("feed listener %r failed for %s", handler, business.schema_name)


def plaid_client_for(host: str | None = None) -> PlaidClient:
    return PlaidClient(host or settings.PLAID_HOST, settings.PLAID_CLIENT_ID, settings.PLAID_SECRET)


def feed_accounts_upsert(business, item_id: str, accounts: Iterable[AccountDTO]) -> int:
    """Create/refresh FeedAccounts (mask, type, balances) for one item; runs in the tenant."""
    now = timezone.now()
    count = 0
    with tenant_context(business):
        for dto in accounts:
            FeedAccount.objects.update_or_create(
                plaid_account_id=dto.account_id,
                defaults={
                    "item_id": item_id,
                    "name": (dto.name or "")[:200],
                    "official_name": (dto.official_name or "")[:200],
                    "mask": (dto.mask or "")[:8],
                    "type": dto.type[:32],
                    "subtype": (dto.subtype or "")[:32],
                    "current_balance": dto.current_balance,
                    "available_balance": dto.available_balance,
                    "currency": (dto.currency or business.currency)[:3],
                    "balance_at": dto.balance_updated_at or now,
                    "removed": False,
                },
            )
            count += 1
    return count


def feed_accounts_release(item: PlaidItem) -> None:
    """A disconnected item's accounts stop counting and give back their QuickBooks links, so
    the same bank connected again (new Plaid account ids) can take them."""
    with tenant_context(item.business):
        FeedAccount.objects.filter(item_id=item.item_id).update(
            removed=True, linked_account=None, link_confirmed=False, suggested_account=None)


def item_status_set(item: PlaidItem, status: str, error: str = "") -> PlaidItem:
    """Record an item state from a webhook or a failed call (no-op once disconnected)."""
    if item.status == Status.DISCONNECTED:
        return item
    newly = status in NEEDS_RECONNECT and item.status != status
    item.status = status
    item.last_error = error
    item.save(update_fields=["status", "last_error"])
    if status == Status.DISCONNECTED:
        feed_accounts_release(item)
    if newly:
        # The owner hears of it now (the alerts' evaluation, a task after the commit), not at
        # the next hourly tick; the alert's unique (kind, day) keeps it to one a day.
        enqueue_for(item.business, ALERTS_EVALUATE)
    return item


def item_status_from_error(item: PlaidItem, exc: PlaidError) -> PlaidItem:
    if exc.error_code == "ITEM_LOGIN_REQUIRED":
        return item_status_set(item, Status.LOGIN_REQUIRED, exc.error_code)
    if exc.error_code == "USER_PERMISSION_REVOKED":  # restorable in Link's update mode
        return item_status_set(item, Status.LOGIN_REQUIRED, exc.error_code)
    if exc.error_code in ("ITEM_NOT_FOUND", "INVALID_ACCESS_TOKEN"):
        return item_status_set(item, Status.DISCONNECTED, exc.error_code)
    now = timezone.now()
    item.last_error = f"{exc.error_type}/{exc.error_code}"
    item.failing_since = item.failing_since or now
    item.failed_at = now
    item.save(update_fields=["last_error", "failing_since", "failed_at"])
    return item


def items_for(business, *, active_only: bool = True):
    qs = PlaidItem.objects.filter(business=business).order_by("created_at")
    return qs.exclude(status=Status.DISCONNECTED) if active_only else qs
