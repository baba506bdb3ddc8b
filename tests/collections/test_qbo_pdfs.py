"""Against the real QBO sandbox: a customer synced from QuickBooks (PrimaryEmailAddr) gets one
email with both invoices due for a step that day and their PDFs, fetched through our client
(`GET /invoice/{id}/pdf`)."""

from datetime import date

import pytest
from django.core import mail

from apps.ar.reminders.models import CollectionsSettings, ReminderEmail
from apps.collections.services import reminders_run
from apps.integrations.sync.connection import qbo_retry_policy
from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.integrations.sync.qbo_company import control, start, write_company
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox(tmp_path):
    handle = start(write_company(tmp_path / "co"))
    yield handle
    handle.stop()


@pytest.fixture
def synced(sandbox, tenant_a, owner_a):
    sandbox_connect(tenant_a, sandbox.base_url)
    assert qbo_sync_run(tenant_a, full=True).state == "succeeded"
    with in_tenant(tenant_a):
        CollectionsSettings.objects.update_or_create(singleton=1, defaults={"enabled": True})
    return tenant_a


def test_one_email_with_both_invoices_and_their_pdfs_from_quickbooks(synced):
    # Acme Corp: invoice 201 due Oct 31 (1 day after: Nov 1), 203 due Nov 4 (3 before: Nov 1)
    report = reminders_run(synced, date(2026, 11, 1))
    assert report.sent == 1
    (msg,) = mail.outbox
    assert msg.to == ["ap@acme.test"] and "$1,150.00" in msg.body  # 1,000 + 150 open
    pdfs = [(name, content) for name, content, mimetype in msg.attachments
            if mimetype == "application/pdf"]
    assert sorted(name for name, _ in pdfs) == ["invoice-201.pdf", "invoice-203.pdf"]
    assert all(content.startswith(b"%PDF-") for _, content in pdfs)
    with in_tenant(synced):
        (email,) = ReminderEmail.objects.all()
        assert sorted(email.sends.values_list("invoice__qbo_id", flat=True)) == ["201", "203"]


def test_quickbooks_not_answering_costs_one_pdf_not_one_per_invoice(synced, sandbox):
    """Every PDF request answers 503: the client retries the first invoice's as far as its
    policy goes, the second is not asked for, and the email goes without attachments."""
    control(sandbox, "faults", {"error503": 1.0})
    before = control(sandbox, "stats")["api_requests"]
    report = reminders_run(synced, date(2026, 11, 1))
    asked = control(sandbox, "stats")["api_requests"] - before
    assert report.sent == 1
    (msg,) = mail.outbox
    assert not [a for a in msg.attachments if a[2] == "application/pdf"]
    assert "$1,150.00" in msg.body  # both invoices still listed
    assert asked == qbo_retry_policy().max_attempts
