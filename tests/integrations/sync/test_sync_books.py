"""Full sync, CDC, webhook fetch and quarantine of the real-books entities (DESIGN §4b), from
the QBO sandbox over HTTP into Postgres; nothing of ours is patched."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from apps.ap.models import BillPayment, VendorCredit
from apps.ar.models import Invoice, RefundReceipt, SalesReceipt
from apps.bank.models import CreditCardPayment, JournalEntry, Purchase
from apps.integrations.qbo.webhooks import parse_notifications
from apps.integrations.sync.models import QboConnection, QuarantinedRecord, SyncRun
from apps.integrations.sync.qbo_sync import qbo_fetch_changed, qbo_sync_run
from apps.ledger.models import Class, CompanyCurrency, Department, Employee, ExchangeRate
from apps.sandboxes.qbo.webhooks import build_payload
from apps.sandboxes.qbo.writes import Change
from tests.integrations.sync.books_company import REASONS, write_books
from tests.integrations.sync.qbo_company import control, start
from tests.utils import in_tenant


@pytest.fixture
def sb(tmp_path):
    handle = start(write_books(tmp_path / "co", bad=True))
    yield handle
    handle.stop()


@pytest.fixture
def synced(sb, tenant_a, settings):
    settings.QBO_RETRY_BASE, settings.QBO_RETRY_CAP = 0.01, 0.05
    call_command("connect_qbo", "alpha", "--sandbox", sb.base_url, stdout=open("/dev/null", "w"))
    tenant_a.refresh_from_db()
    return tenant_a


def test_full_sync_stores_every_new_entity(sb, synced):
    conn = QboConnection.objects.get(business=synced)
    assert conn.multicurrency_enabled and conn.home_currency == "USD"
    run = SyncRun.objects.filter(business=synced).first()
    assert run.state == "succeeded" and run.quarantined == len(REASONS)
    with in_tenant(synced):
        payroll = JournalEntry.objects.get(qbo_id="801")
        assert payroll.total == 0 and payroll.memo == "Gusto payroll 10/09/2026"
        assert payroll.exchange_rate is None  # home currency
        lines = [(ln.posting_type, ln.account.name, ln.amount)
                 for ln in payroll.lines.order_by("line_id")]
        assert lines == [("Debit", "Wages", Decimal("5000.00")),
                         ("Debit", "Payroll taxes", Decimal("450.00")),
                         ("Credit", "Payroll", Decimal("5450.00"))]
        tagged = JournalEntry.objects.get(qbo_id="803").lines.get(posting_type="Debit")
        assert (tagged.entity_type, tagged.entity_qbo_id) == ("Vendor", "56")
        assert tagged.klass.name == "Design" and tagged.department.name == "Pearl"
        assert Department.objects.get(qbo_id="2").parent.name == "Portland"

        assert VendorCredit.objects.get(qbo_id="811").balance == Decimal("120.00")
        no_balance = VendorCredit.objects.get(qbo_id="812")
        assert no_balance.balance is None and no_balance.lines.get().account.name == "Software"
        applied = BillPayment.objects.get(qbo_id="881").credit_lines.get()
        assert applied.vendor_credit == no_balance and applied.amount == Decimal("40.00")

        receipts = {r.qbo_id: r.deposit_account.name for r in SalesReceipt.objects.all()}
        assert receipts == {"821": "Checking", "822": "Undeposited Funds"}
        assert RefundReceipt.objects.get(qbo_id="831").deposit_account_qbo_id == "35"
        ccp = CreditCardPayment.objects.get(qbo_id="841")
        assert (ccp.bank_account.name, ccp.card_account.name, ccp.amount) == (
            "Checking", "Visa", Decimal("157.72"))
        payoff = Purchase.objects.get(qbo_id="851")
        assert payoff.is_credit and payoff.lines.get().account.name == "Checking"
        assert Purchase.objects.get(qbo_id="852").counterparty_type == "Vendor"

        cad = Invoice.objects.get(qbo_id="861")
        assert (cad.currency, cad.exchange_rate, cad.home_balance) == (
            "CAD", Decimal("0.7312345678"), Decimal("731.23"))
        assert Invoice.objects.get(qbo_id="862").exchange_rate is None
        rates = {r.qbo_id: r.rate for r in ExchangeRate.objects.all()}
        assert rates == {"CAD:USD:2026-10-01": Decimal("0.7312345678"),
                         "EUR:USD:2026-10-01": Decimal("1.08"),
                         "EUR:USD:2026-11-01": Decimal("1.1")}
        assert ExchangeRate.objects.current("EUR", date(2026, 10, 31)).rate == Decimal("1.08")
        assert sorted(CompanyCurrency.objects.values_list("code", flat=True)) == ["CAD", "EUR"]
        assert Class.objects.count() == 1 and Employee.objects.get().family_name == "Doe"


def test_malformed_new_records_are_quarantined_with_their_reason(sb, synced):
    open_rows = {(q.entity, q.external_id): q.reason for q in QuarantinedRecord.objects.filter(
        business=synced, resolved_at__isnull=True)}
    for key, reason in REASONS.items():
        assert reason in open_rows[key]
    control(sb, "mutate", {"entity": "CreditCardPayment", "id": "849",
                           "set": {"BankAccountRef": {"value": "35"}}})
    qbo_sync_run(synced)
    fixed = QuarantinedRecord.objects.get(business=synced, entity="CreditCardPayment",
                                          external_id="849")
    assert fixed.resolved_at is not None
    with in_tenant(synced):
        assert CreditCardPayment.objects.get(qbo_id="849").bank_account_qbo_id == "35"


def test_cdc_brings_changes_deletes_and_new_rates(sb, synced):
    control(sb, "mutate", {"entity": "JournalEntry", "id": "802", "operation": "delete"})
    control(sb, "mutate", {"entity": "VendorCredit", "id": "811", "set": {"Balance": 20}})
    control(sb, "mutate", {"entity": "RefundReceipt", "id": "831", "set": {"TotalAmt": 80}})
    control(sb, "mutate", {"entity": "ExchangeRate", "operation": "create", "object": {
        "SourceCurrencyCode": "EUR", "AsOfDate": date.today().isoformat(), "Rate": 1.15}})
    run = qbo_sync_run(synced)
    assert run.kind == "incremental" and run.state == "succeeded"
    assert run.requests == 2  # one CDC call for every entity type, one query for recent rates
    with in_tenant(synced):
        assert JournalEntry.objects.get(qbo_id="802").is_deleted
        assert VendorCredit.objects.get(qbo_id="811").balance == Decimal("20.00")
        assert RefundReceipt.objects.get(qbo_id="831").total == Decimal("80.00")
        assert ExchangeRate.objects.current("EUR", date.today()).rate == Decimal("1.15")


def test_webhook_fetch_reads_the_changed_new_entities(sb, synced):
    control(sb, "mutate", {"entity": "JournalEntry", "id": "801", "set": {
        "PrivateNote": "Gusto payroll 10/09/2026 (corrected)"}})
    control(sb, "mutate", {"entity": "SalesReceipt", "id": "822", "operation": "delete"})
    control(sb, "mutate", {"entity": "CreditCardPayment", "id": "841", "set": {"Amount": 160}})
    # The events as the sandbox sends them (CloudEvents), parsed by our webhook receiver.
    body = build_payload([
        Change("JournalEntry", "801", "Update", "2026-11-01T10:00:00-07:00"),
        Change("SalesReceipt", "822", "Delete", "2026-11-01T10:00:00-07:00"),
        Change("CreditCardPayment", "841", "Update", "2026-11-01T10:00:00-07:00"),
    ], sb.realm, "cloudevents")
    changes = parse_notifications(body)
    assert {c.entity for c in changes} == {"JournalEntry", "SalesReceipt", "CreditCardPayment"}
    run = qbo_fetch_changed(synced, changes)
    # One query per changed type, and one asking QBO whether SalesReceipt 822 is really gone.
    assert run.kind == "webhook" and run.state == "succeeded" and run.requests == 3
    with in_tenant(synced):
        assert JournalEntry.objects.get(qbo_id="801").memo.endswith("(corrected)")
        assert JournalEntry.objects.get(qbo_id="801").lines.count() == 3  # replaced, not added
        assert SalesReceipt.objects.get(qbo_id="822").is_deleted
        assert CreditCardPayment.objects.get(qbo_id="841").amount == Decimal("160.00")


def test_a_connection_synced_before_these_types_existed_reads_them_in_full_once(sb, synced):
    conn = QboConnection.objects.get(business=synced)
    assert set(conn.synced_entities) >= {"JournalEntry", "ExchangeRate", "VendorCredit"}
    # As a connection fully synced by the previous version looks: the new types never read.
    QboConnection.objects.filter(pk=conn.pk).update(synced_entities=[])
    with in_tenant(synced):
        JournalEntry.objects.all().delete()
        ExchangeRate.objects.all().delete()
    run = qbo_sync_run(synced)
    assert run.kind == "incremental" and run.state == "succeeded"
    with in_tenant(synced):
        assert JournalEntry.objects.filter(qbo_id__in=["801", "802", "803"]).count() == 3
        assert ExchangeRate.objects.count() == 3  # the malformed fourth is quarantined
    assert "JournalEntry" in QboConnection.objects.get(pk=conn.pk).synced_entities
    quiet = qbo_sync_run(synced)  # then CDC + recent rates again, and nothing rewritten
    assert quiet.requests == 2 and sum(quiet.entities.values()) == 0
