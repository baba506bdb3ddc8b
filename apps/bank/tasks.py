"""Celery tasks of the bank feed. Sent inside `tenant_context(business)` (BusinessTask refuses
to run in public). Idempotent: a sync starts from the saved cursor; reconciliation re-checks."""

from __future__ import annotations

from celery import shared_task
from django.db import connection

from apps.bank.services.feed_sync import FEED_SYNC, FeedSyncBusy, feed_sync_run
from apps.core.tasks import BusinessTask
from apps.integrations.plaid.models import PlaidItem


@shared_task(name=FEED_SYNC, base=BusinessTask, bind=True, max_retries=6)
def feed_sync_task(self, item_id: str | None = None, balances: bool = False) -> str:
    business = connection.tenant
    item = None
    if item_id:
        item = PlaidItem.objects.filter(business=business, item_id=item_id).first()
        if item is None:
            return f"no item {item_id}"
    try:
        report = feed_sync_run(business, item=item, balances=balances)
    except FeedSyncBusy as exc:
        # Another sync is running; retry so a webhook's change is not lost.
        raise self.retry(exc=exc, countdown=30) from exc
    if report.retryable:
        raise self.retry(countdown=min(600, 30 * 2 ** self.request.retries))
    return str(report)


def feed_sync_enqueue(item_id: str) -> None:
    """The sync dispatcher's way in (plugged in oodaloo/wiring.py): one item's feed sync, with
    balances. Call inside the business's tenant_context."""
    feed_sync_task.delay(item_id=item_id, balances=True)
