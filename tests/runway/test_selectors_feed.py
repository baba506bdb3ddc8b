"""Identity linking and the bank feed as the burn source."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from apps.runway import selectors
from tests.factories import PlaidItemFactory
from tests.runway import books as b
from tests.utils import in_tenant

AS_OF = date(2025, 3, 12)


def runway_json(tenant) -> dict:
    return b.runway_json(tenant, AS_OF)


def test_linked_account_counts_once_with_the_fresher_balance_and_feed_burn(tenant_a):
    with in_tenant(tenant_a):
        op = b.account("35", "Operating", "48000.00")  # QBO copy, synced "now" (test time)
        sav = b.account("36", "Savings", "20000.00")
        later = datetime.now(UTC) + timedelta(hours=1)
        feed = b.feed_account("Checking", "50000.00", later, linked=op, mask="1234")
        # Unconfirmed link: not counted (it may be Savings again, or a wrong match).
        b.feed_account("Maybe savings", "20000.00", later, linked=sav, confirmed=False)
        # QBO's copy of the checking account's spending is ignored: the feed is the source.
        b.purchase(op, AS_OF - timedelta(days=3), "700.00", who="Shop")
        b.feed_txn(feed, AS_OF - timedelta(days=3), "700.00", "Shop")
        b.feed_txn(feed, AS_OF - timedelta(days=90), "200.00", "Gusto")  # first day of window
        b.feed_txn(feed, AS_OF - timedelta(days=91), "999.00", "Too old")
        b.feed_txn(feed, AS_OF - timedelta(days=1), "123.00", "Pending", pending=True)
        b.feed_txn(feed, AS_OF - timedelta(days=2), "-5000.00", "Client payment")
        # An internal transfer: the feed's outgoing leg has no destination; QBO's Transfer
        # record of the same account names Savings → paired, not burn.
        b.feed_txn(feed, AS_OF - timedelta(days=10), "1000.00", "Online transfer", transfer=True)
        b.transfer(op, sav, AS_OF - timedelta(days=9), "1000.00")
        # A feed transfer nobody pairs goes somewhere outside runway: burn.
        b.feed_txn(feed, AS_OF - timedelta(days=20), "400.00", "Transfer out", transfer=True)
    data = json.loads(json.dumps(runway_json(tenant_a)))
    assert data["cash"] == "70000.00"  # feed 50,000 (fresher) + savings 20,000
    accounts = {a["identity"]: a for a in data["accounts"]}
    assert accounts["qbo:35"]["balance_source"] == "bank_feed"
    assert accounts["qbo:35"]["name"] == "Checking ••1234"
    unlinked = [a for a in data["accounts"] if a["name"] == "Maybe savings"]
    assert unlinked and unlinked[0]["included"] is False
    assert data["burn"]["sources"]["qbo:35"] == "bank_feed"
    assert data["burn"]["sources"]["qbo:36"] == "qbo"
    assert data["burn"]["outflow_total"] == "1300.00"  # 700 + 200 + 400
    assert data["burn"]["internal_transfers_excluded"] == "1000.00"
    assert data["daily_burn"] == "14.44"  # 1,300 / 90 = 14.444…
    assert data["runway_days"] == "4847.6"  # 70,000 / 14.44 = 4847.645…


def test_excluding_the_qbo_account_excludes_its_feed_copy(tenant_a):
    with in_tenant(tenant_a):
        op = b.account("35", "Operating", "48000.00", included=False)
        b.account("36", "Savings", "20000.00")
        b.feed_account("Checking", "50000.00", datetime.now(UTC), linked=op)
    assert runway_json(tenant_a)["cash"] == "20000.00"


def test_a_linked_cards_fresher_feed_balance_is_owed_with_plaids_sign(tenant_a):
    """Plaid reports a credit account's `current` positive when money is owed; QBO reports the
    card negative. The fresher feed copy must still read as owed (not "$0.00 owed")."""
    with in_tenant(tenant_a):
        b.account("35", "Operating", "48000.00")
        card = b.account("40", "Visa", "-900.00", kind="Credit Card")
        b.feed_account("Business Card", "1234.56", datetime.now(UTC) + timedelta(hours=1),
                       linked=card, kind="credit", mask="4057")
    data = runway_json(tenant_a)
    (owed,) = data["cards"]
    assert owed["identity"] == "qbo:40" and owed["owed"] == "1234.56"
    assert data["cash"] == "48000.00"  # a card is never cash
    accounts = {a["identity"]: a for a in data["accounts"]}
    assert accounts["qbo:40"]["balance_source"] == "bank_feed"
    assert accounts["qbo:40"]["balance"] == "-1234.56"  # one sign everywhere: QBO's


# --- the feed's health, currency and transfer labels (apps/runway/selectors.py) -----------------


def plaid_item(tenant, *, status: str = "ok", synced_ago: timedelta | None = timedelta(hours=1),
               item_id: str = "item-1"):
    return PlaidItemFactory(
        business=tenant, item_id=item_id, status=status,
        last_sync_at=None if synced_ago is None else datetime.now(UTC) - synced_ago,
    )


def fed_checking(tenant) -> None:
    """Checking seen in QBO (48,000, a 600.00 purchase) and in the feed (50,000, fresher, with
    its own 900.00 of spending): counted once, from whichever source is trusted."""
    with in_tenant(tenant):
        op = b.account("35", "Operating", "48000.00")
        feed = b.feed_account("Checking", "50000.00", datetime.now(UTC) + timedelta(hours=1),
                              linked=op)
        b.purchase(op, AS_OF - timedelta(days=3), "600.00", who="Shop")
        b.feed_txn(feed, AS_OF - timedelta(days=3), "900.00", "Shop")


@pytest.mark.parametrize("status", ["ok", "pending_expiration"])  # expiring: data still fresh
def test_a_healthy_feed_is_the_source_of_its_account(tenant_a, status):
    plaid_item(tenant_a, status=status)
    fed_checking(tenant_a)
    data = runway_json(tenant_a)
    assert data["cash"] == "50000.00"
    assert data["burn"]["sources"] == {"qbo:35": "bank_feed"}
    assert data["burn"]["outflow_total"] == "900.00"


@pytest.mark.parametrize("status, synced_ago", [
    ("ok", timedelta(days=3)),  # stopped: no sync for more than 2 days
    ("ok", None),  # never synced
    ("login_required", timedelta(hours=1)),
    ("pending_expiration", timedelta(days=3)),  # expiring and stopped
])
def test_a_feed_that_is_not_ok_falls_back_to_qbo_once(tenant_a, status, synced_ago):
    plaid_item(tenant_a, status=status, synced_ago=synced_ago)
    fed_checking(tenant_a)
    data = runway_json(tenant_a)
    assert data["cash"] == "48000.00"  # QBO's balance, not the feed's, and not both
    assert [a["identity"] for a in data["accounts"]] == ["qbo:35"]
    assert data["accounts"][0]["balance_source"] == "qbo"
    assert data["burn"]["sources"] == {"qbo:35": "qbo"}
    assert data["burn"]["outflow_total"] == "600.00"  # QBO's purchase, not the feed's rows


def test_a_disconnected_item_whose_accounts_were_not_removed_is_not_used(tenant_a):
    plaid_item(tenant_a, status="disconnected")
    fed_checking(tenant_a)
    data = runway_json(tenant_a)
    assert data["cash"] == "48000.00"
    assert data["burn"]["outflow_total"] == "600.00"


def test_feed_accounts_of_other_items_are_judged_by_their_own_item(tenant_a):
    plaid_item(tenant_a, status="login_required", item_id="item-2")  # another bank
    plaid_item(tenant_a)
    fed_checking(tenant_a)
    assert runway_json(tenant_a)["cash"] == "50000.00"


def test_a_feed_account_in_another_currency_is_not_counted(tenant_a):
    from apps.bank.models import FeedAccount

    plaid_item(tenant_a)
    fed_checking(tenant_a)
    with in_tenant(tenant_a):
        FeedAccount.objects.update(currency="EUR")  # the business is in USD
        inputs = selectors.runway_inputs(as_of=AS_OF, currency="USD")
    assert [a.account_key for a in inputs.accounts] == ["qbo:35"]
    assert [(m.account_key, m.amount) for m in inputs.movements] == [("qbo:35", b.D("600.00"))]
    data = runway_json(tenant_a)
    assert data["cash"] == "48000.00"
    assert data["burn"]["outflow_total"] == "600.00"


def test_the_transfer_destination_found_by_reconciliation_is_passed_on(tenant_a):
    from apps.bank.models import BankTransaction

    plaid_item(tenant_a)
    with in_tenant(tenant_a):
        op = b.account("35", "Operating", "48000.00")
        b.account("36", "Savings", "20000.00")
        b.account("37", "Payroll", "5000.00", included=False)
        feed = b.feed_account("Checking", "50000.00", datetime.now(UTC), linked=op)
        # No other leg anywhere: without the label, amount pairing would call both burn.
        to_savings = b.feed_txn(feed, AS_OF - timedelta(days=5), "1000.00", "Online transfer",
                                transfer=True)
        to_payroll = b.feed_txn(feed, AS_OF - timedelta(days=6), "300.00", "Online transfer",
                                transfer=True)
        BankTransaction.objects.filter(pk=to_savings.pk).update(transfer_to_key="qbo:36")
        BankTransaction.objects.filter(pk=to_payroll.pk).update(transfer_to_key="qbo:37")
        inputs = selectors.runway_inputs(as_of=AS_OF)
    dests = {m.amount: m.transfer_to_account_key for m in inputs.movements}
    assert dests == {b.D("1000.00"): "qbo:36", b.D("300.00"): "qbo:37"}
    data = runway_json(tenant_a)
    assert data["burn"]["internal_transfers_excluded"] == "1000.00"  # into Savings
    assert data["burn"]["outflow_total"] == "300.00"  # out of runway (excluded account)


def test_a_transfer_to_a_left_out_feed_account_lands_on_its_qbo_account(tenant_a):
    from apps.bank.models import BankTransaction

    plaid_item(tenant_a)
    plaid_item(tenant_a, status="login_required", item_id="item-2")
    with in_tenant(tenant_a):
        op = b.account("35", "Operating", "48000.00")
        sav = b.account("36", "Savings", "20000.00")
        feed = b.feed_account("Checking", "50000.00", datetime.now(UTC), linked=op)
        frozen = b.feed_account("Savings", "21000.00", datetime.now(UTC), linked=sav)
        frozen.item_id = "item-2"
        frozen.save()
        out = b.feed_txn(feed, AS_OF - timedelta(days=5), "1000.00", "Online transfer",
                         transfer=True)
        BankTransaction.objects.filter(pk=out.pk).update(transfer_to_key=f"feed:{frozen.pk}")
        inputs = selectors.runway_inputs(as_of=AS_OF)
    assert [m.transfer_to_account_key for m in inputs.movements] == ["qbo:36"]
    data = runway_json(tenant_a)
    assert data["cash"] == "70000.00"  # 50,000 (feed) + 20,000 (Savings from QBO)
    assert data["burn"]["sources"] == {"qbo:35": "bank_feed", "qbo:36": "qbo"}
    assert data["burn"]["internal_transfers_excluded"] == "1000.00"
    assert data["burn"]["outflow_total"] == "0.00"


def test_a_merchant_reconciled_to_a_vendor_s_bill_payments_is_covered_by_its_open_bill(
        tenant_a):
    """The bank calls the landlord "ACME PROPERTY MGMT", QuickBooks "Rent Co". Reconciliation
    matches the last three rent payments to QBO bill payments; the merchant's older rows are
    unmatched. April's rent is an open bill: it is projected once, as the bill (it was also
    projected as the merchant's recurring series: 3,000 counted twice)."""
    from apps.bank.services.reconcile import reconcile

    plaid_item(tenant_a)
    with in_tenant(tenant_a):
        op = b.account("35", "Operating", "48000.00")
        feed = b.feed_account("Checking", "50000.00", datetime.now(UTC), linked=op)
        rent = b.vendor("v9", "Rent Co")
        for month in range(4, 13):
            b.feed_txn(feed, date(2024, month, 1), "3000.00", "ACME PROPERTY MGMT")
        for month in (1, 2, 3):
            b.feed_txn(feed, date(2025, month, 1), "3000.00", "ACME PROPERTY MGMT")
            b.bill_payment(op, date(2025, month, 1), "3000.00", rent)
        b.bill(rent, date(2025, 3, 1), date(2025, 4, 1), "3000.00")
    assert reconcile(tenant_a).newly_matched == 3
    data = runway_json(tenant_a)
    series = {s["key"]: s for s in data["recurring"]}
    assert list(series) == ["vendor:v9"]
    assert series["vendor:v9"]["occurrences"] == 12
    projected = [(p["date"], p["covered_by_bill"] is not None)
                 for p in series["vendor:v9"]["projected"]]
    assert projected == [("2025-04-01", True), ("2025-05-01", False), ("2025-06-01", False)]
    weeks = data["weeks"]
    assert sum(b.D(w["ap_out"]) + b.D(w["recurring_out"]) for w in weeks) == b.D("9000.00")
