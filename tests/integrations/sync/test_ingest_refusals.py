"""A record the database refuses is quarantined and the rest of its page stored; the sync
succeeds and moves on (rows go to Postgres by COPY: its errors must reach the page fallback)."""

from decimal import Decimal

from apps.ap.models import Bill
from apps.integrations.sync.models import QboConnection, QuarantinedRecord
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.integrations.sync.qbo_company import control
from tests.utils import in_tenant


def test_a_nul_character_in_a_memo_is_dropped_and_the_bill_stored(sb, synced):
    control(sb, "mutate", {"entity": "Bill", "id": "101", "set": {"PrivateNote": "pa\u0000id"}})
    control(sb, "mutate", {"entity": "Bill", "id": "102", "set": {"PrivateNote": "fine"}})
    run = qbo_sync_run(synced)
    assert run.state == "succeeded"
    with in_tenant(synced):
        memos = dict(Bill.objects.filter(qbo_id__in=["101", "102"]).values_list("qbo_id", "memo"))
    assert memos == {"101": "paid", "102": "fine"}
    assert not QuarantinedRecord.objects.filter(business=synced).exists()


def test_a_row_the_database_refuses_is_quarantined_and_the_rest_of_the_page_stored(sb, synced):
    # No mapper check covers a foreign bill's ExchangeRate: 10¹¹ overflows its numeric(20, 10)
    # column, so Postgres refuses it inside COPY (a psycopg error, not Django's).
    control(sb, "mutate", {"entity": "Bill", "id": "101", "set": {
        "CurrencyRef": {"value": "USD"}, "ExchangeRate": 100000000000,
        "HomeTotalAmt": 500.00, "HomeBalance": 500.00, "PrivateNote": "huge rate"}})
    control(sb, "mutate", {"entity": "Bill", "id": "102", "set": {"PrivateNote": "fine"}})
    before = QboConnection.objects.get(business=synced).changes_since

    run = qbo_sync_run(synced)

    assert run.state == "succeeded"
    assert QboConnection.objects.get(business=synced).changes_since > before
    bad = QuarantinedRecord.objects.get(business=synced, entity="Bill", external_id="101")
    assert "the database refused it" in bad.reason and bad.resolved_at is None
    assert bad.payload["PrivateNote"] == "huge rate"
    with in_tenant(synced):
        assert Bill.objects.get(qbo_id="102").memo == "fine"
        kept = Bill.objects.get(qbo_id="101")  # our last good copy, untouched
        assert (kept.memo, kept.exchange_rate, kept.balance) == ("", None, Decimal("500.00"))
