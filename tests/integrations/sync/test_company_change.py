"""Reconnecting a business to another QuickBooks company (the owner picked the wrong one
first): the old company's rows leave the books, the new company's arrive by a full sync. Real
sandboxes (one per company), Postgres and Redis; nothing of ours is patched."""

from django.core.management import call_command

from apps.ap.models import Bill
from apps.ar.models import Invoice
from apps.bank.models import Account
from apps.core.models import AuditEvent
from apps.integrations.sync.models import QboConnection
from tests.integrations.sync.qbo_company import start, write_company
from tests.utils import in_tenant


def _connect(handle) -> None:
    call_command("connect_qbo", "alpha", "--sandbox", handle.base_url,
                 stdout=open("/dev/null", "w"))


def test_another_company_replaces_the_old_company_s_money(sb, synced, tmp_path):
    business, old_realm = synced, sb.realm
    with in_tenant(business):  # the owner's own choice on an old company's row is left alone
        Account.objects.filter(name="Savings").update(included_in_runway=False)
    other = start(write_company(tmp_path / "other"))
    try:
        _connect(other)
    finally:
        other.stop()
    assert QboConnection.objects.get(business=business).realm_id == other.realm != old_realm
    with in_tenant(business):
        bills = set(Bill.objects.open().values_list("realm_id", "qbo_id"))
        assert bills == {(other.realm, "101"), (other.realm, "102")}
        assert set(Invoice.objects.open().values_list("realm_id", flat=True)) == {other.realm}
        assert Invoice.objects.open().count() == 2
        assert set(Account.objects.in_runway().values_list("realm_id", "name")) == {
            (other.realm, "Checking"), (other.realm, "Savings")}
        # Kept for history, marked deleted like a delete in QBO.
        old = Bill.objects.filter(realm_id=old_realm)
        assert old.count() == 3 and all(b.is_deleted for b in old)
        assert not Account.objects.get(realm_id=old_realm, name="Savings").included_in_runway
    event = AuditEvent.objects.get(business=business, action="qbo.company_changed")
    assert (event.before["realm_id"], event.after["realm_id"]) == (old_realm, other.realm)
    assert event.after["rows_retired"]["Bill"] == 3


def test_reconnecting_the_same_company_retires_nothing(sb, synced):
    _connect(sb)
    with in_tenant(synced):
        assert Bill.objects.open().count() == 2 and not Bill.objects.filter(is_deleted=True)
    assert not AuditEvent.objects.filter(business=synced, action="qbo.company_changed")
