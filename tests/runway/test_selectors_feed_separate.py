"""A feed account the owner marked "a separate account" (not in QuickBooks) counts on its own.

`link_confirm(business, feed, None)` is the portal's "Not in QuickBooks (a separate account)":
its balance is cash and its feed is its burn source. A feed account nobody has decided on yet
is shown, not counted (it may be a copy of a QBO account)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from apps.bank.services.linking import link_confirm
from apps.runway.engine.cash import AccountBook
from apps.runway.selectors import bank_accounts
from tests.factories.bank import AccountFactory, FeedAccountFactory
from tests.runway import books as b
from tests.utils import in_tenant

AS_OF = date(2026, 11, 27)  # the runway bench's day: its reference SQL reads the same books


def test_feed_account_marked_separate_counts_as_cash(tenant_a):
    """The review's reproduction: 1,000 in QuickBooks + 2,500 in a separate bank = 3,500."""
    with in_tenant(tenant_a):
        AccountFactory(qbo_id="1", name="Operating", current_balance=Decimal("1000.00"))
        FeedAccountFactory(item_id="i-x", name="Other bank", current_balance=Decimal("2500.00"),
                           balance_at=datetime.now(UTC), linked_account=None,
                           link_confirmed=True, currency="USD")
        rows = bank_accounts(currency="USD")
        cash = AccountBook(tuple(rows.accounts)).cash
    assert cash == Decimal("3500.00")


def separate_and_undecided(tenant) -> int:
    """Operating in QBO (1,000; a 300.00 purchase), a bank QBO does not have, marked separate
    through the owner's service (2,500; 600.00 + 150.00 out, 5,000 in), and a feed account not
    yet decided on (9,999; 777.00 out): returns the separate account's pk."""
    with in_tenant(tenant):
        op = b.account("35", "Operating", "1000.00")
        b.purchase(op, AS_OF - timedelta(days=4), "300.00", who="Landlord")
        other = b.feed_account("Other bank", "2500.00", datetime.now(UTC), mask="7777",
                               confirmed=False)
        undecided = b.feed_account("Maybe a copy", "9999.00", datetime.now(UTC),
                                   confirmed=False)
        b.feed_txn(other, AS_OF - timedelta(days=3), "600.00", "Contractor")
        b.feed_txn(other, AS_OF - timedelta(days=30), "150.00", "Software")
        b.feed_txn(other, AS_OF - timedelta(days=5), "-5000.00", "Client payment")
        b.feed_txn(undecided, AS_OF - timedelta(days=3), "777.00", "Shop")
    link_confirm(tenant, other, None)  # "Not in QuickBooks (a separate account)"
    return other.pk


def test_a_separate_account_adds_its_balance_and_its_feed_burn(tenant_a):
    pk = separate_and_undecided(tenant_a)
    data = b.runway_json(tenant_a, AS_OF)
    assert data["cash"] == "3500.00"  # 1,000 + 2,500; the undecided 9,999 is not counted
    accounts = {a["identity"]: a for a in data["accounts"]}
    assert accounts[f"feed:{pk}"]["included"] is True
    assert accounts[f"feed:{pk}"]["balance_source"] == "bank_feed"
    undecided = [a for a in data["accounts"] if a["name"] == "Maybe a copy"]
    assert undecided and undecided[0]["included"] is False
    assert data["burn"]["sources"] == {"qbo:35": "qbo", f"feed:{pk}": "bank_feed"}
    assert data["burn"]["outflow_total"] == "1050.00"  # 300 (QBO) + 600 + 150 (feed)
    assert data["daily_burn"] == "11.67"  # 1,050 / 90


def test_the_bench_reference_query_applies_the_same_rule(tenant_a):
    """tests/bench/runway_feed.py's one-statement reference must total what the engine does."""
    from apps.runway.services import runway_compute
    from tests.bench.bench_runway import reference_sql

    separate_and_undecided(tenant_a)
    result = runway_compute(tenant_a, as_of=AS_OF)
    rows = reference_sql(tenant_a, feed=True)
    assert (rows[0][3], rows[0][5]) == (result.cash, result.daily_burn)
    assert result.cash == Decimal("3500.00")
