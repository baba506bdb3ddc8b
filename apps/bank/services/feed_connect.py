"""Connecting a bank through Plaid: Link token → public token → encrypted access token →
feed accounts and the first sync; disconnecting. The item's states and its Plaid client are in
``feed_items`` (shared with the sync)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from apps.bank.services.feed_items import (
    Status,
    feed_accounts_release,
    feed_accounts_upsert,
    item_status_from_error,
    plaid_client_for,
)
from apps.bank.services.feed_sync import FEED_SYNC, FeedSyncBusy, feed_sync_run
from apps.bank.services.linking import link_suggestions_refresh
from apps.core.enqueue import enqueue_for
from apps.core.services.audit import audit_record
from apps.core.services.data_version import data_changed
from apps.integrations.plaid.client import LinkToken
from apps.integrations.plaid.errors import InvalidAccessToken, ItemNotFound, PlaidError
from apps.integrations.plaid.models import PlaidItem

log = logging.getLogger(__name__)


def feed_link_token(
    business, user, *, webhook: str | None = None, item: PlaidItem | None = None
) -> LinkToken:
    """A Link token for a new connection, or for update mode (reconnect) when `item` is given.
    Every token carries our webhook URL (settings.PLAID_WEBHOOK_URL) so Plaid registers it."""
    client = plaid_client_for(item.host if item else None)
    return client.create_link_token(
        f"{business.slug}:{user.pk}", webhook or settings.PLAID_WEBHOOK_URL,
        access_token=item.access_token if item else None,
    )


def feed_login_repaired(business, item: PlaidItem, *, actor=None) -> PlaidItem:
    """Update mode finished in Link: confirm with Plaid (/item/get) that the login works again,
    clear the reconnect state, audit. Raises PlaidError when Plaid still reports an error."""
    status = plaid_client_for(item.host).item(item.access_token)
    if status.error_code:
        still = PlaidError(status.error_type or "ITEM_ERROR", status.error_code,
                           "the bank still refuses the login after Link")
        item_status_from_error(item, still)
        raise still
    before = {"status": item.status, "last_error": item.last_error}
    with transaction.atomic():
        item.status, item.last_error = Status.OK, ""
        item.save(update_fields=["status", "last_error"])
        audit_record(actor=actor, action="bank_feed.reconnect", business=business,
                     object_type="PlaidItem", object_id=item.item_id,
                     before=before, after={"status": item.status})
    return item


def feed_connect(business, public_token: str, *, actor=None, host: str | None = None,
                 institution_name: str = "", initial_sync: bool = True) -> PlaidItem:
    """Exchange Link's public token, store the item (token encrypted), list its accounts,
    suggest QBO links, and run the first sync (Plaid only sends SYNC_UPDATES_AVAILABLE to items
    that have called /transactions/sync once)."""
    client = plaid_client_for(host)
    access_token, item_id = client.exchange_public_token(public_token)
    try:
        accounts = client.accounts(access_token)
    except PlaidError:
        _forget(client, access_token)  # never stored: a live item nobody could remove
        raise
    with transaction.atomic():
        item = PlaidItem.objects.create(
            business=business, item_id=item_id, access_token=access_token,
            host=host or settings.PLAID_HOST, institution_name=institution_name[:200],
        )
        feed_accounts_upsert(business, item_id, accounts)
        audit_record(actor=actor, action="bank_feed.connect", business=business,
                     object_type="PlaidItem", object_id=item_id,
                     after={"accounts": [f"{a.name} ••{a.mask}" for a in accounts]})
    link_suggestions_refresh(business)
    if initial_sync:
        try:
            feed_sync_run(business, item=item)
        except FeedSyncBusy:  # another item of the business is syncing: the task waits
            enqueue_for(business, FEED_SYNC, item_id=item.item_id)
        item.refresh_from_db()
    return item


def _forget(client, access_token: str) -> None:
    try:
        client.remove_item(access_token)
    except PlaidError:
        log.warning("could not remove an unstored Plaid item; it stays billed until removed")


def feed_connect_sandbox(business, *, actor=None, host: str | None = None,
                         webhook: str | None = None, initial_sync: bool = True) -> PlaidItem:
    """Development/demo: the sandbox plays the user's trip through Link."""
    client = plaid_client_for(host)
    public_token = client.sandbox_public_token(webhook=webhook)
    return feed_connect(business, public_token, actor=actor, host=host,
                        institution_name="Sandbox bank", initial_sync=initial_sync)


def feed_disconnect(business, item: PlaidItem, *, actor=None) -> None:
    """Remove the item at Plaid and stop counting its accounts (cash falls back to QBO)."""
    try:
        plaid_client_for(item.host).remove_item(item.access_token)
    except (ItemNotFound, InvalidAccessToken):
        pass  # already gone at Plaid: disconnecting is what we wanted anyway
    before = item.status
    with transaction.atomic():
        PlaidItem.objects.select_for_update().filter(pk=item.pk).first()  # after a running sync
        item.status = Status.DISCONNECTED  # the token is dead at Plaid after /item/remove
        item.save(update_fields=["status"])
        feed_accounts_release(item)
        audit_record(actor=actor, action="bank_feed.disconnect", business=business,
                     object_type="PlaidItem", object_id=item.item_id,
                     before={"status": before}, after={"status": item.status})
    data_changed(business)  # its accounts stop counting
