"""The demo agency with its bank feed: one truth for cash, nothing double-counted, matching
quality against the generator's ground truth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from apps.bank.models import BankTransaction, FeedAccount
from apps.bank.selectors import bank_tray_causes
from apps.bank.services.feed_connect import feed_connect_sandbox
from apps.bank.services.linking import link_accept_suggestions
from apps.bank.services.reconcile import cash_bridge, reconcile
from apps.demo.generator import generate_company
from apps.sandboxes.plaid import start_sandbox
from tests.utils import in_tenant

from .demo_feed import demo_truth, match_score, qbo_books_ingest

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 20)
SEED, YEARS, SCALE = 4, 1, 0.4


@pytest.fixture
def demo(tmp_path, tenant_a, settings):
    summary = generate_company(tmp_path / "demo", seed=SEED, years=YEARS, scale=SCALE,
                               as_of=AS_OF)
    qbo_books_ingest(tenant_a, tmp_path / "demo" / "qbo", summary.realm)
    handle = start_sandbox(tmp_path / "demo" / "plaid")
    settings.PLAID_HOST = handle.base_url
    yield summary
    handle.stop()


def _runway(business, *, with_feed: bool):
    from apps.runway.engine import compute_runway
    from apps.runway.selectors import runway_inputs

    with in_tenant(business):
        inputs = runway_inputs(as_of=AS_OF, currency="USD")
    if not with_feed:
        inputs = type(inputs)(**{
            **{f: getattr(inputs, f) for f in inputs.__dataclass_fields__},
            "accounts": tuple(a for a in inputs.accounts if a.source != "bank_feed"),
            "movements": tuple(m for m in inputs.movements if m.source != "bank_feed"),
        })
    return compute_runway(inputs, AS_OF)


def test_demo_cash_counts_once_and_bank_equals_qbo_plus_in_flight(tenant_a, demo):
    without = _runway(tenant_a, with_feed=False)
    feed_connect_sandbox(tenant_a)
    # Suggested by mask/name/balance: every Plaid account finds its QBO account.
    with in_tenant(tenant_a):
        feeds = list(FeedAccount.objects.select_related("suggested_account"))
    by_plaid = {a["plaid_account_id"]: a["qbo_id"] for a in demo.data["accounts"]
                if a.get("plaid_account_id")}
    assert {f.plaid_account_id: f.suggested_account.qbo_id for f in feeds} == by_plaid
    # Unconfirmed: the feed is shown but not counted, so cash is QBO's.
    assert _runway(tenant_a, with_feed=True).cash == without.cash

    assert link_accept_suggestions(tenant_a) == len(by_plaid)
    reconcile(tenant_a)
    bridges = cash_bridge(tenant_a)
    assert len(bridges) == 3
    for bridge in bridges:
        assert bridge.difference == Decimal("0.00"), bridge
    bank_cash = sum(b.bank_balance for b in bridges)
    qbo_cash = sum(b.qbo_balance for b in bridges)
    in_flight = sum(b.in_flight - b.bank_only + b.qbo_only for b in bridges)
    assert bank_cash == qbo_cash + in_flight

    with_feed = _runway(tenant_a, with_feed=True)
    assert without.cash == qbo_cash == Decimal(demo.data["cash"])
    assert with_feed.cash == bank_cash  # the bank's balance wins, counted once (not doubled)
    # Burn from bank transactions ≈ burn from QBO, never the sum of both. They differ only at
    # the 90-day window's edges (the bank posts 0-3 days after QBO's date; one payroll run
    # crossing the edge is ~9 % here) and by bank-only fees.
    ratio = with_feed.daily_burn / without.daily_burn
    assert Decimal("0.85") <= ratio <= Decimal("1.15"), ratio

    score = match_score(tenant_a, demo_truth(SEED, YEARS, SCALE, AS_OF))
    assert score.precision >= 0.98 and score.recall >= 0.95, score
    # Bank-only items surface as tray items once a few days old.
    bank_only = set(demo.data["plaid"]["bank_only_transaction_ids"])
    causes = bank_tray_causes(tenant_a, AS_OF)
    unmatched = [c for c in causes if c.kind == "bank_unmatched"]
    with in_tenant(tenant_a):
        ids = {BankTransaction.objects.get(pk=c.target_id).transaction_id for c in unmatched}
    assert ids and ids <= bank_only
    assert "with no record in QuickBooks" in unmatched[0].title

    # Idempotent: a second run changes nothing; own-account transfers are recognised.
    again = reconcile(tenant_a)
    assert again.newly_matched == 0 and again.unmatched_cleared == 0
    with in_tenant(tenant_a):
        transfers = BankTransaction.objects.filter(is_transfer=True)
        assert transfers.count() >= 2 * 24  # payroll funding every two weeks, both legs
        assert not transfers.exclude(matched_type="transfer").exclude(
            match_reason="feed transfer").exists()
