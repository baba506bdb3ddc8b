"""Pull a business's bank feeds from Plaid into BankTransaction/FeedAccount.

/transactions/sync pages are buffered by the client (which restarts the whole loop from the
saved cursor on TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION); here the merged result and the new
cursor are written in **one database transaction**, so the cursor is saved only together with the
last page. Amount sign: stored as Plaid sends it (positive = money out), converted nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import redis as redis_lib
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.bank.models import BankTransaction, FeedAccount
from apps.bank.services.feed_items import (
    Status,
    feed_accounts_upsert,
    feed_changed,
    item_status_from_error,
    items_for,
    plaid_client_for,
)
from apps.core.services.data_version import data_changed
from apps.integrations.plaid.dtos import RejectedRecord, SyncResult, TransactionDTO
from apps.integrations.plaid.errors import PlaidError
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.sync.locks import LockNotAcquired, sync_lock
from apps.integrations.sync.models import QuarantinedRecord
from apps.integrations.sync.policy import is_sync_due
from apps.tenancy.summary import summary_refresh_quietly

CENT = Decimal("0.01")
SOURCE = "plaid"
Progress = Callable[[str, int], None]

# Fields a re-sent transaction (modified, or a duplicate id) overwrites; the match is cleared so
# reconciliation looks at the new amount/date again.
_UPSERT_FIELDS = [
    "feed_account", "pending_transaction_id", "date", "authorized_date", "amount", "currency",
    "name", "merchant_name", "counterparty", "category", "pending", "is_transfer",
    "matched_type", "matched_id", "match_reason", "transfer_to_key",
]


FEED_SYNC = "bank.feed_sync"  # the task (apps/bank/tasks.py) that runs `feed_sync_run`


class FeedSyncBusy(Exception):
    pass


@dataclass
class FeedSyncReport:
    items: int = 0
    added: int = 0
    modified: int = 0
    removed: int = 0
    rejected: int = 0
    pages: int = 0
    restarts: int = 0
    balances_refreshed: int = 0
    matched: int = 0
    errors: list[str] = field(default_factory=list)
    retryable: bool = False

    def __str__(self) -> str:
        text = (f"{self.items} item(s): +{self.added} ~{self.modified} -{self.removed} "
                f"transactions, {self.rejected} quarantined, {self.pages} page(s), "
                f"{self.restarts} restart(s), {self.matched} newly matched")
        return text + (f"; errors: {'; '.join(self.errors)}" if self.errors else "")


def _redis() -> redis_lib.Redis:
    return redis_lib.Redis.from_url(settings.REDIS_URL)


def _lock_prefix() -> str:
    return f"{getattr(settings, 'SYNC_LOCK_PREFIX', '')}{connection.settings_dict['NAME']}:"


def _row(dto: TransactionDTO, feed_account_id: int) -> BankTransaction:
    counterparty = dto.merchant_name or ""
    return BankTransaction(
        feed_account_id=feed_account_id,
        transaction_id=dto.transaction_id[:128],
        pending_transaction_id=(dto.pending_transaction_id or "")[:128],
        date=dto.date,
        authorized_date=dto.authorized_date,
        amount=dto.amount.quantize(CENT),
        currency=(dto.currency or "")[:3],
        name=dto.name[:300],
        merchant_name=(dto.merchant_name or "")[:200],
        counterparty=counterparty[:200],
        category=(dto.category_detailed or dto.category_primary or "")[:100],
        pending=dto.pending,
        is_transfer=False,
        matched_type="",
        matched_id=None,
        match_reason="",
        transfer_to_key="",
    )


def _quarantine(business, rejected: list[RejectedRecord]) -> None:
    for rec in rejected:
        QuarantinedRecord.objects.update_or_create(
            business=business, source=SOURCE, entity="Transaction",
            external_id=rec.key,
            defaults={"reason": rec.reason, "payload": dict(rec.raw), "resolved_at": None},
        )


def sync_result_apply(business, item: PlaidItem, result: SyncResult, *, full: bool = False
                      ) -> tuple[int, int, int, int]:
    """Write one merged sync result and its cursor atomically. Returns (added, modified,
    removed, rejected) as stored. Idempotent: replaying the same result changes nothing."""
    now = timezone.now()
    with transaction.atomic(), tenant_context(business):
        # The item as it is now, locked: a webhook or a disconnect may have changed it while
        # Plaid was answering, and this sync must neither undo that nor revive a dead item.
        current = PlaidItem.objects.select_for_update().get(pk=item.pk)
        if current.status == Status.DISCONNECTED:
            item.status = current.status
            return 0, 0, 0, 0
        if result.accounts:
            feed_accounts_upsert(business, item.item_id, result.accounts)
        accounts = dict(
            FeedAccount.objects.filter(item_id=item.item_id).values_list("plaid_account_id", "pk")
        )
        rejected = list(result.rejected)
        rows = []
        seen: set[str] = set()
        for dto in [*result.added, *result.modified]:
            if dto.account_id not in accounts:
                rejected.append(RejectedRecord(dto.transaction_id,
                                               f"unknown account {dto.account_id!r}"))
                continue
            if dto.transaction_id in seen:  # the client merges pages; be safe anyway
                continue
            seen.add(dto.transaction_id)
            rows.append(_row(dto, accounts[dto.account_id]))
        removed_ids = [r.transaction_id for r in result.removed]
        removed = BankTransaction.objects.filter(transaction_id__in=removed_ids).delete()[0]
        if full:  # a full pull is the whole current history: drop what it no longer has
            removed += BankTransaction.objects.filter(
                feed_account__item_id=item.item_id
            ).exclude(transaction_id__in=seen).delete()[0]
        BankTransaction.objects.bulk_create(
            rows, batch_size=2000, update_conflicts=True, unique_fields=["transaction_id"],
            update_fields=_UPSERT_FIELDS,
        )
        # A posted transaction replaces its pending one even if Plaid forgot to remove it.
        replaced = {r.pending_transaction_id for r in rows if not r.pending and
                    r.pending_transaction_id}
        if replaced:
            removed += BankTransaction.objects.filter(
                transaction_id__in=replaced, pending=True
            ).delete()[0]
        _quarantine(business, rejected)
        if seen:  # a good version of a once-rejected transaction resolves its quarantine row
            QuarantinedRecord.objects.filter(
                business=business, source=SOURCE, external_id__in=seen, resolved_at=None
            ).update(resolved_at=now)
        current.cursor = result.next_cursor
        current.last_sync_at = now
        current.last_error = ""
        current.failing_since = current.failed_at = None
        if current.status == Status.LOGIN_REQUIRED:  # a sync that works means the login is fine
            current.status = Status.OK
        current.save(update_fields=["cursor", "last_sync_at", "last_error", "status",
                                    "failing_since", "failed_at"])
        item.cursor, item.last_sync_at, item.last_error, item.status = (
            current.cursor, now, "", current.status)
        item.failing_since = item.failed_at = None
    return len(result.added), len(result.modified), removed, len(rejected)


def feed_balances_refresh(business, item: PlaidItem) -> int:
    """Real-time balances (/accounts/balance/get; slow at real banks, hence on schedule only)."""
    accounts = plaid_client_for(item.host).balances(item.access_token)
    return feed_accounts_upsert(business, item.item_id, accounts)


def _sync_item(business, item: PlaidItem, report: FeedSyncReport, *, full: bool,
               balances: bool, progress: Progress) -> None:
    client = plaid_client_for(item.host)
    try:
        result = client.sync_transactions(item.access_token, None if full else item.cursor)
        added, modified, removed, rejected = sync_result_apply(business, item, result, full=full)
        report.added += added
        report.modified += modified
        report.removed += removed
        report.rejected += rejected
        report.pages += result.pages
        report.restarts += result.restarts
        progress("Transaction", added + modified + removed)
        if balances and item.status != Status.DISCONNECTED:
            report.balances_refreshed += feed_balances_refresh(business, item)
            progress("Balance", report.balances_refreshed)
    except PlaidError as exc:
        item_status_from_error(item, exc)
        report.errors.append(f"{item.item_id}: {exc.error_type}/{exc.error_code}")
        report.retryable = report.retryable or exc.retryable


def feed_sync_run(business, *, item: PlaidItem | None = None, full: bool = False,
                  balances: bool = False, progress: Progress | None = None,
                  wait: float = 0.0) -> FeedSyncReport:
    """Sync every connected item of a business (or one), then link suggestions and
    reconciliation. One run at a time per business (`sync:{schema}:plaid` lease lock);
    raises FeedSyncBusy when another holds it. Plaid errors are recorded on the item (state,
    last_error) and in the report, never raised."""
    from apps.bank.services.linking import link_suggestions_refresh
    from apps.bank.services.reconcile import reconcile

    report = FeedSyncReport()
    say = progress or (lambda _what, _n: None)
    items = [item] if item is not None else list(items_for(business))
    try:
        with sync_lock(_redis(), business.schema_name, SOURCE, ttl=900, wait=wait,
                       prefix=_lock_prefix()):
            for it in items:
                if it.status == Status.DISCONNECTED:
                    continue
                report.items += 1
                _sync_item(business, it, report, full=full, balances=balances, progress=say)
            link_suggestions_refresh(business)
            report.matched = reconcile(business).newly_matched
            say("Matched", report.matched)
            data_changed(business)  # balances and bank history feed the runway
    except LockNotAcquired as exc:
        raise FeedSyncBusy(str(exc)) from exc
    feed_changed(business)  # the tray quotes the burn and lists unmatched bank money
    summary_refresh_quietly(business)  # bank-feed health and balances on the public row
    return report


def feed_sync_due(business, now: datetime | None = None, *, user_active: bool = False) -> bool:
    """The DESIGN §5 policy for Plaid (15 min active … 4 h nights), on the oldest item."""
    items = list(items_for(business))
    if not items:
        return False
    local_now = (now or timezone.now()).astimezone(ZoneInfo(business.timezone))
    stamps = [i.last_sync_at for i in items]
    last = None if any(s is None for s in stamps) else min(stamps)
    return is_sync_due(SOURCE, local_now, last, user_active)


def feed_sync_command_run(business, *, full: bool = False,
                          progress: Progress | None = None) -> FeedSyncReport:
    """Entry point for `manage.py sync <business> --source plaid` (plugged in oodaloo/wiring.py)."""
    return feed_sync_run(business, full=full, balances=True, progress=progress, wait=5.0)
