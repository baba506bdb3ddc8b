"""Identity linking and the bank feed as the burn source."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

from django.core.management import call_command

from apps.runway.cache import runway_invalidate
from tests.runway import books as b
from tests.utils import in_tenant

AS_OF = date(2025, 3, 12)


def runway_json(tenant) -> dict:
    runway_invalidate(tenant)
    out = StringIO()
    call_command("runway", tenant.slug, "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    return json.loads(out.getvalue())


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
