"""Bank feed end to end through plaid-python against the Plaid sandbox: link, initial and
incremental sync, pending→posted, removal, mutation restart, item states, disconnect."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from apps.bank.models import BankTransaction, FeedAccount
from apps.bank.selectors import bank_tray_causes, feed_health, feed_reconnect_prompts
from apps.bank.services.feed_connect import feed_connect_sandbox, feed_disconnect
from apps.bank.services.feed_items import plaid_client_for
from apps.bank.services.feed_sync import feed_sync_due, feed_sync_run
from apps.integrations.plaid.errors import ItemNotFound
from apps.integrations.plaid.models import PlaidItem
from tests.integrations.plaid.bank_fixtures import CARD, CHECKING, minimal
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _ids(business) -> set[str]:
    with in_tenant(business):
        return set(BankTransaction.objects.values_list("transaction_id", flat=True))


def test_connect_stores_encrypted_token_accounts_and_first_sync(tenant_a, owner_a, sandbox):
    item = feed_connect_sandbox(tenant_a, actor=owner_a)
    assert item.status == PlaidItem.Status.OK and item.cursor and item.last_sync_at
    with connection.cursor() as cur:
        cur.execute("SELECT access_token FROM plaid_plaiditem WHERE id = %s", [item.pk])
        raw = cur.fetchone()[0]
    assert item.access_token.startswith("access-") and item.access_token not in raw
    with in_tenant(tenant_a):
        accounts = {a.plaid_account_id: a for a in FeedAccount.objects.all()}
        assert accounts[CHECKING].mask == "0000" and accounts[CHECKING].type == "depository"
        assert accounts[CARD].type == "credit"
        assert accounts[CHECKING].current_balance == Decimal("110.94")
        assert BankTransaction.objects.count() == 14
        # Plaid's sign kept once: money in is negative.
        assert BankTransaction.objects.get(transaction_id="deposit").amount == Decimal("-2500.00")
        assert BankTransaction.objects.get(transaction_id="pend1").pending


def test_incremental_pending_posted_and_removal(tenant_a, sandbox):
    item = feed_connect_sandbox(tenant_a)
    first_cursor = item.cursor
    sandbox.add_transactions([minimal("new1", Decimal("12.5"), "2024-03-20")])
    report = feed_sync_run(tenant_a)
    assert report.added == 1 and "new1" in _ids(tenant_a)
    item.refresh_from_db()
    assert item.cursor != first_cursor

    posted = sandbox.post_pending("pend1")
    feed_sync_run(tenant_a)
    ids = _ids(tenant_a)
    assert "pend1" not in ids and posted in ids
    with in_tenant(tenant_a):
        row = BankTransaction.objects.get(transaction_id=posted)
        assert not row.pending and row.pending_transaction_id == "pend1"
        assert BankTransaction.objects.count() == 15  # replaced, not added twice

    sandbox.remove_transactions(["t01"])
    report = feed_sync_run(tenant_a)
    assert report.removed == 1 and "t01" not in _ids(tenant_a)
    # Nothing new: an incremental sync changes nothing.
    again = feed_sync_run(tenant_a)
    assert (again.added, again.modified, again.removed) == (0, 0, 0)


def test_modified_transaction_updates_in_place(tenant_a, sandbox):
    feed_connect_sandbox(tenant_a)
    sandbox.modify_transactions([{"transaction_id": "t02", "amount": Decimal("99.99")}])
    report = feed_sync_run(tenant_a)
    assert report.modified == 1
    with in_tenant(tenant_a):
        assert BankTransaction.objects.get(transaction_id="t02").amount == Decimal("99.99")
        assert BankTransaction.objects.count() == 14


def test_mutation_during_pagination_restarts_and_saves_cursor_last(tenant_a, sandbox):
    item = feed_connect_sandbox(tenant_a)
    sandbox.add_transactions(
        [minimal(f"bulk{i:03d}", Decimal(1 + i), "2024-04-01") for i in range(600)]
    )
    sandbox.set_faults("mutation=1")
    report = feed_sync_run(tenant_a)
    assert report.restarts == 1 and report.pages >= 2 and report.added == 600
    assert len(_ids(tenant_a)) == 614

    # A loop that never gets through: nothing written, cursor untouched, error recorded.
    item.refresh_from_db()
    cursor = item.cursor
    sandbox.add_transactions(
        [minimal(f"more{i:03d}", Decimal(2 + i), "2024-04-02") for i in range(600)]
    )
    sandbox.set_faults("mutation=50")
    report = feed_sync_run(tenant_a)
    assert report.errors and report.retryable
    item.refresh_from_db()
    assert item.cursor == cursor and "MUTATION" in item.last_error
    assert len(_ids(tenant_a)) == 614
    sandbox.set_faults({"mutation": 0})
    feed_sync_run(tenant_a)
    assert len(_ids(tenant_a)) == 1214


def test_login_required_becomes_reconnect_prompt_then_recovers(tenant_a, sandbox):
    item = feed_connect_sandbox(tenant_a)
    sandbox.set_item_state(item.item_id, "ITEM_LOGIN_REQUIRED")
    report = feed_sync_run(tenant_a)
    assert report.errors == [f"{item.item_id}: ITEM_ERROR/ITEM_LOGIN_REQUIRED"]
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.LOGIN_REQUIRED
    assert [i.pk for i in feed_reconnect_prompts(tenant_a)] == [item.pk]
    assert feed_health(tenant_a)[0].state == "login_required"
    causes = bank_tray_causes(tenant_a, date(2024, 4, 1))
    assert any(c.key.endswith(":reconnect") and c.kind == "connection" for c in causes)

    sandbox.set_item_state(item.item_id, "HEALTHY")
    feed_sync_run(tenant_a)
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.OK and not feed_reconnect_prompts(tenant_a)


def test_balances_refresh_and_schedule_policy(tenant_a, sandbox):
    item = feed_connect_sandbox(tenant_a)
    sandbox.set_balances(CHECKING, current=Decimal("5000.5"), available=Decimal(4900))
    feed_sync_run(tenant_a, balances=True)
    with in_tenant(tenant_a):
        acct = FeedAccount.objects.get(plaid_account_id=CHECKING)
        assert acct.current_balance == Decimal("5000.50")
        assert acct.available_balance == Decimal("4900.00")
    now = timezone.now()
    assert not feed_sync_due(tenant_a, now)
    PlaidItem.objects.filter(pk=item.pk).update(last_sync_at=now - timedelta(hours=5))
    assert feed_sync_due(tenant_a, now)  # 4 h is the longest Plaid interval


def test_feed_that_stops_is_a_clear_state(tenant_a, sandbox):
    item = feed_connect_sandbox(tenant_a)
    PlaidItem.objects.filter(pk=item.pk).update(last_sync_at=timezone.now() - timedelta(days=3))
    assert feed_health(tenant_a)[0].state == "stale"
    causes = bank_tray_causes(tenant_a, date(2024, 4, 1))
    assert any(c.key.endswith(":stale") for c in causes)
    sandbox.stop()  # the bank is unreachable: recorded, no crash
    report = feed_sync_run(tenant_a)
    assert report.errors and report.retryable
    item.refresh_from_db()
    assert "TRANSPORT" in item.last_error


def test_disconnect_stops_counting_and_syncing(tenant_a, owner_a, sandbox):
    item = feed_connect_sandbox(tenant_a)
    feed_disconnect(tenant_a, item, actor=owner_a)
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.DISCONNECTED
    with pytest.raises(ItemNotFound):  # removed at Plaid too
        plaid_client_for().item(item.access_token)
    with in_tenant(tenant_a):
        assert not FeedAccount.objects.filter(removed=False).exists()
    assert feed_sync_run(tenant_a).items == 0
    assert feed_health(tenant_a)[0].state == "disconnected"


def test_the_same_bank_connected_again_takes_its_quickbooks_link_back(tenant_a, owner_a,
                                                                     sandbox):
    """Real Plaid gives a reconnected bank new account ids, so new feed accounts: the old,
    removed ones must not keep holding the QuickBooks account (a one-to-one link)."""
    from apps.bank.services.linking import link_accept_suggestions, link_confirm
    from tests.factories import AccountFactory

    qbo = AccountFactory(business=tenant_a, name="Checking", acct_num="xxxx0000",
                         current_balance=0)
    feed_disconnect(tenant_a, _linked_then(tenant_a, link_accept_suggestions), actor=owner_a)
    with in_tenant(tenant_a):
        old = FeedAccount.objects.get(plaid_account_id=CHECKING)
        assert old.removed and old.linked_account_id is None and not old.link_confirmed
        FeedAccount.objects.update(plaid_account_id=Concat(F("plaid_account_id"), Value("-old")))
    feed_connect_sandbox(tenant_a)
    with in_tenant(tenant_a):
        new = FeedAccount.objects.get(plaid_account_id=CHECKING)
        assert new.suggested_account_id == qbo.pk  # offered again
    assert link_confirm(tenant_a, new, qbo, actor=owner_a).linked_account_id == qbo.pk


def _linked_then(business, accept):
    item = feed_connect_sandbox(business)
    assert accept(business) >= 1
    return item


def test_the_tray_follows_the_bank_feed_as_it_follows_a_quickbooks_sync(tenant_a, sandbox):
    """A feed sync and a confirmed link change what the tray shows (links to confirm, unmatched
    bank money, the daily burn its impacts quote): the tray is regenerated after each, without
    waiting for the next QuickBooks sync or a press of Refresh."""
    from apps.bank.services.linking import link_accept_suggestions
    from apps.tray.models import TrayItem
    from tests.factories import AccountFactory

    AccountFactory(business=tenant_a, name="Checking", acct_num="xxxx0000", current_balance=0)
    feed_connect_sandbox(tenant_a)
    with in_tenant(tenant_a):
        feed = FeedAccount.objects.get(plaid_account_id=CHECKING)
        assert feed.suggested_account_id is not None
        item = TrayItem.objects.get(key=f"bank_link:{feed.pk}")
        assert item.status == TrayItem.Status.OPEN
    link_accept_suggestions(tenant_a)
    with in_tenant(tenant_a):
        item.refresh_from_db()
        assert item.status == TrayItem.Status.CLOSED


def test_connecting_while_another_bank_syncs_queues_its_first_sync(
    tenant_a, sandbox, memory_broker, django_capture_on_commit_callbacks
):
    """The item is stored either way; its first sync waits for the other one as a task
    (before, the page answered 500 and a retry connected the bank a second time)."""
    from celery.signals import before_task_publish

    from apps.bank.services.feed_sync import SOURCE, _lock_prefix, _redis
    from apps.integrations.sync.locks import sync_lock

    sent = []

    def record(sender=None, body=None, **_kw):
        sent.append((sender, body[1] if isinstance(body, (list, tuple)) else {}))

    before_task_publish.connect(record, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True), sync_lock(
                _redis(), tenant_a.schema_name, SOURCE, ttl=60, prefix=_lock_prefix()):
            item = feed_connect_sandbox(tenant_a)
    finally:
        before_task_publish.disconnect(record)
    assert PlaidItem.objects.filter(business=tenant_a).count() == 1
    assert ("bank.feed_sync", {"item_id": item.item_id}) in sent
    assert _ids(tenant_a) == set()  # not synced yet: the task does it


def test_a_revoked_permission_asks_for_a_reconnect_not_a_new_connection(tenant_a, sandbox):
    """Plaid: USER_PERMISSION_REVOKED is restored through Link's update mode, as the webhook
    already treats it."""
    from apps.bank.services.feed_items import item_status_from_error
    from apps.integrations.plaid.errors import PlaidError

    item = feed_connect_sandbox(tenant_a)
    item_status_from_error(item, PlaidError("ITEM_ERROR", "USER_PERMISSION_REVOKED", "revoked"))
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.LOGIN_REQUIRED
    assert [i.pk for i in feed_reconnect_prompts(tenant_a)] == [item.pk]


@pytest.mark.parametrize("meanwhile", [PlaidItem.Status.PENDING_EXPIRATION,
                                       PlaidItem.Status.DISCONNECTED])
def test_a_sync_never_undoes_what_happened_while_plaid_answered(tenant_a, sandbox, meanwhile):
    """The sync holds the item it read before asking Plaid; a webhook's warning or the owner's
    disconnect landing meanwhile must survive it (a disconnected item is not revived)."""
    from apps.bank.services.feed_items import feed_accounts_release

    item = feed_connect_sandbox(tenant_a)
    PlaidItem.objects.filter(pk=item.pk).update(status=meanwhile)  # `item` is now out of date
    if meanwhile == PlaidItem.Status.DISCONNECTED:
        feed_accounts_release(item)
    feed_sync_run(tenant_a, item=item, balances=True)
    assert PlaidItem.objects.get(pk=item.pk).status == meanwhile
    with in_tenant(tenant_a):
        revived = FeedAccount.objects.filter(removed=False).exists()
    assert revived is (meanwhile != PlaidItem.Status.DISCONNECTED)
