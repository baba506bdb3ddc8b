"""Bad input from the feed: clear states, no crash, no double counting. Records go through the
Plaid client's own mapping (as a real /transactions/sync page would) into sync_result_apply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings

from apps.bank.models import BankTransaction
from apps.bank.services.feed_connect import feed_connect_sandbox
from apps.bank.services.feed_sync import sync_result_apply
from apps.integrations.plaid.dtos import (
    RejectedRecord,
    SyncResult,
    UnmappableRecord,
    transaction_from_plaid,
)
from apps.integrations.sync.models import QuarantinedRecord
from tests.integrations.plaid.bank_fixtures import CARD, CHECKING, minimal
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db
CURRENCY = {CHECKING: "USD", CARD: "USD"}


def _page(raws: list[dict]) -> tuple[list, list[RejectedRecord]]:
    good, bad = [], []
    for raw in raws:
        try:
            good.append(transaction_from_plaid(raw, CURRENCY))
        except UnmappableRecord as exc:
            bad.append(RejectedRecord(raw.get("transaction_id"), str(exc), raw))
    return good, bad


def test_bad_records_are_quarantined_and_good_ones_count_once(tenant_a, sandbox):
    item = feed_connect_sandbox(tenant_a)
    with in_tenant(tenant_a):
        before = BankTransaction.objects.count()
    good, bad = _page([
        minimal("ok1", Decimal("10.00")),
        {**minimal("euro", Decimal("5")), "iso_currency_code": "EUR"},
        minimal("huge", Decimal("1e12")),
        minimal("nan", "NaN"),
        {**minimal("ghost", Decimal("7")), "account_id": "no-such-account"},
    ])
    assert [d.transaction_id for d in good] == ["ok1"] and len(bad) == 4
    # The same id twice in one result (and again in a later one) is stored once.
    stray = transaction_from_plaid({**minimal("stray", Decimal("3")), "account_id": "other"})
    result = SyncResult(added=[*good, good[0], stray], modified=[], removed=[],
                        next_cursor="c-1", rejected=bad)
    sync_result_apply(tenant_a, item, result)
    sync_result_apply(tenant_a, item, result)
    with in_tenant(tenant_a):
        assert BankTransaction.objects.count() == before + 1
        assert BankTransaction.objects.filter(transaction_id="ok1").count() == 1
    reasons = dict(QuarantinedRecord.objects.filter(business=tenant_a, source="plaid")
                   .values_list("external_id", "reason"))
    assert set(reasons) == {"euro", "huge", "nan", "ghost", "stray"}
    assert "EUR" in reasons["euro"] and "absurd" in reasons["huge"]
    assert "unknown account" in reasons["stray"]
    item.refresh_from_db()
    assert item.cursor == "c-1"

    # A good version of a quarantined transaction resolves its quarantine row.
    fixed = transaction_from_plaid(minimal("euro", Decimal("5")), CURRENCY)
    sync_result_apply(tenant_a, item, SyncResult([fixed], [], [], "c-2"))
    row = QuarantinedRecord.objects.get(business=tenant_a, source="plaid", external_id="euro")
    assert row.resolved_at is not None


NO_ID = {"account_id": "acc-1", "amount": "oops", "date": "2026-11-30", "name": "Mystery"}
KEY_IN_CHILD = (
    "import json, sys; from apps.integrations.plaid.dtos import RejectedRecord; "
    "print(RejectedRecord(None, 'bad', json.loads(sys.argv[1])).key)"
)


def test_a_record_without_an_id_keeps_one_quarantine_row_across_processes(tenant_a, sandbox):
    """Workers run with different hash seeds: the row's key must not depend on the process."""
    keys = {
        subprocess.run([sys.executable, "-c", KEY_IN_CHILD, json.dumps(NO_ID)],
                       env={**os.environ, "PYTHONHASHSEED": seed}, cwd=settings.BASE_DIR,
                       capture_output=True, text=True, check=True).stdout.strip()
        for seed in ("1", "2")
    }
    rejected = RejectedRecord(None, "amount is not a number", NO_ID)
    assert keys == {rejected.key}
    item = feed_connect_sandbox(tenant_a)
    for cursor in ("c-1", "c-2"):
        sync_result_apply(tenant_a, item, SyncResult([], [], [], cursor, rejected=[rejected]))
    rows = QuarantinedRecord.objects.filter(business=tenant_a, source="plaid",
                                            entity="Transaction")
    assert list(rows.values_list("external_id", flat=True)) == [rejected.key]
