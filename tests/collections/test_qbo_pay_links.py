"""QuickBooks' pay-online page of an invoice (`InvoiceLink`), against the real QBO sandbox: it
exists only once QuickBooks has emailed the invoice, the invoice allows online payment and the
company takes online payments; our sync asks for it (`include=invoiceLink`, on full queries and
after CDC), stores it on the invoice, and the reminder email links it."""

import json
from datetime import date

import pytest
from django.core import mail

from apps.ar.models import Invoice
from apps.ar.reminders.models import CollectionsSettings
from apps.collections.services import reminders_run
from apps.integrations.qbo.client import new_request_id
from apps.integrations.sync.connection import qbo_client_for
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.integrations.sync.qbo_company import start, write_company
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def _company(directory, *, payments: bool):
    """The standard sandbox company; invoice 201 allows card payment, and the company takes
    online payments when `payments`."""
    write_company(directory)
    prefs_file, invoices_file = directory / "Preferences.json", directory / "Invoice.json"
    prefs = json.loads(prefs_file.read_text())
    prefs["Preferences"][0]["SalesFormsPrefs"] = {"ETransactionPaymentEnabled": payments}
    prefs_file.write_text(json.dumps(prefs))
    invoices = json.loads(invoices_file.read_text())
    for row in invoices["Invoice"]:
        if row["Id"] == "201":
            row["AllowOnlineCreditCardPayment"] = True
    invoices_file.write_text(json.dumps(invoices))
    return directory


def _connected(tmp_path, business, *, payments: bool):
    handle = start(_company(tmp_path / "co", payments=payments))
    sandbox_connect(business, handle.base_url)
    assert qbo_sync_run(business, full=True).state == "succeeded"
    with in_tenant(business):
        CollectionsSettings.objects.update_or_create(
            singleton=1, defaults={"enabled": True, "attach_pdfs": False, "pay_link": ""})
    return handle


def _links(business) -> dict[str, str]:
    with in_tenant(business):
        return dict(Invoice.objects.values_list("qbo_id", "invoice_link"))


def test_a_sent_invoice_gets_its_pay_link_synced_and_in_the_reminder(tmp_path, tenant_a,
                                                                    owner_a):
    handle = _connected(tmp_path, tenant_a, payments=True)
    try:
        assert set(_links(tenant_a).values()) == {""}  # not emailed yet: QuickBooks has none
        client = qbo_client_for(tenant_a)
        assert "InvoiceLink" not in client.read("Invoice", "201")

        client.send_invoice("201", request_id=new_request_id())  # QuickBooks emails it
        read = client.read("Invoice", "201")
        link = read["InvoiceLink"]
        assert link.startswith("https://")

        # The incremental sync (CDC, which carries no include= data) reads changed invoices
        # again by id, so the link arrives without waiting for a full sync.
        assert qbo_sync_run(tenant_a, full=False).state == "succeeded"
        links = _links(tenant_a)
        assert links["201"] == link
        assert links["203"] == ""  # not emailed, not payable online: no link

        # Acme's reminder (201 one day overdue, 203 due in three days) links 201's page.
        report = reminders_run(tenant_a, date(2026, 11, 1))
        assert report.sent == 1
        (msg,) = mail.outbox
        assert f"Pay online: {link}" in msg.body
        html = msg.alternatives[0][0]
        assert f'<a href="{link}">Pay online</a>' in html
        assert html.count("Pay online</a>") == 2  # in the table and for {{ pay_link }}

        # A later full sync keeps it (the full query asks for it too).
        assert qbo_sync_run(tenant_a, full=True).state == "succeeded"
        assert _links(tenant_a)["201"] == link
    finally:
        handle.stop()


def test_no_link_when_the_company_takes_no_online_payments(tmp_path, tenant_a, owner_a):
    handle = _connected(tmp_path, tenant_a, payments=False)
    try:
        client = qbo_client_for(tenant_a)
        client.send_invoice("201", request_id=new_request_id())
        assert "InvoiceLink" not in client.read("Invoice", "201")
        assert qbo_sync_run(tenant_a, full=False).state == "succeeded"
        assert set(_links(tenant_a).values()) == {""}
        reminders_run(tenant_a, date(2026, 11, 1))
        (msg,) = mail.outbox
        assert "Pay online" not in msg.body
        assert "Reply to this email and we'll send payment details." in msg.body
    finally:
        handle.stop()
