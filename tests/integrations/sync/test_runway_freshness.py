"""Sync and outbox writes bump the business's data version, so a cached runway result never
outlives the books it was computed from (found by the browser acceptance tests: a paid bill
stayed in the forecast until the cache expired)."""

from decimal import Decimal

import pytest

from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.outbox import action_create, action_execute
from apps.integrations.sync.qbo_sync import qbo_sync_run
from apps.runway.services import runway_compute
from tests.integrations.sync.qbo_company import control, start, write_company


@pytest.fixture
def synced(tmp_path, tenant_a, settings):
    settings.QBO_RETRY_BASE = 0.01
    settings.QBO_RETRY_CAP = 0.05
    sb = start(write_company(tmp_path / "co"))
    sandbox_connect(tenant_a, sb.base_url)
    qbo_sync_run(tenant_a, full=True)
    yield tenant_a, sb
    sb.stop()


def test_incremental_sync_refreshes_a_cached_runway(synced):
    business, sb = synced
    assert runway_compute(business).ap_aging.total == Decimal("1200.00")  # now cached
    control(sb, "mutate", {"entity": "Bill", "id": "101", "operation": "delete"})
    qbo_sync_run(business)
    assert runway_compute(business).ap_aging.total == Decimal("700.00")


def test_a_paid_bill_leaves_a_cached_runway_when_the_payment_succeeds(synced):
    business, _sb = synced
    before = runway_compute(business)
    assert before.ap_aging.total == Decimal("1200.00")
    action = action_create(
        business,
        "bill_payment.create",
        {
            "vendor": "57",
            "bill": "102",
            "amount": "700.00",
            "bank_account": "35",
            "date": "2026-11-20",
        },
        enqueue=False,
    )
    action = action_execute(action)
    assert action.state == "succeeded", action.error
    assert runway_compute(business).ap_aging.total == Decimal("500.00")
