"""An approval holds for the amount approved: a bill whose QBO balance grows past it after a
sync needs approving again, and a bookkeeper cannot pay the grown balance (DESIGN §7 Money)."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from apps.accounts.models import Role
from apps.ap.models import Bill, BillEvent
from apps.ap.services import bill_approve, bill_pay_now
from apps.bank.models import Account
from apps.core.errors import PermissionDenied
from apps.core.models import AuditEvent
from apps.integrations.sync.models import Action
from apps.integrations.sync.qbo_sync import qbo_sync_run
from tests.factories import make_member
from tests.integrations.sync.qbo_company import control, start, write_company
from tests.utils import in_tenant

LIMIT = Decimal("1000.00")


@pytest.fixture
def synced(tmp_path, tenant_a, settings):
    settings.QBO_RETRY_BASE, settings.QBO_RETRY_CAP = 0.01, 0.05
    sandbox = start(write_company(tmp_path / "co"))
    call_command("connect_qbo", "alpha", "--sandbox", sandbox.base_url,
                 stdout=open("/dev/null", "w"))
    yield sandbox
    sandbox.stop()


def test_balance_grown_after_approval_needs_approving_again(tenant_a, synced):
    bookkeeper = make_member(tenant_a, Role.BOOKKEEPER)
    owner = make_member(tenant_a, Role.OWNER)
    with in_tenant(tenant_a):
        bill = Bill.objects.get(qbo_id="101")
        bill_approve(actor=bookkeeper, bill=bill, approval_limit=LIMIT)
        assert Bill.objects.get(pk=bill.pk).approved_amount == Decimal("500.00")
    control(synced, "mutate", {"entity": "Bill", "id": "101",
                               "set": {"TotalAmt": 50000.00, "Balance": 50000.00}})
    qbo_sync_run(tenant_a)
    with in_tenant(tenant_a):
        bill = Bill.objects.get(qbo_id="101")
        assert bill.balance == Decimal("50000.00")
        assert bill.status == Bill.Status.NEW and not bill.approved_by_email
        lapse = BillEvent.objects.get(bill=bill, kind="approval_lapsed")
        assert lapse.detail["approved_amount"] == "500.00"
        assert AuditEvent.objects.filter(action="bill.approval_lapsed",
                                         object_id=str(bill.pk)).exists()
        account = Account.objects.get(qbo_id="35")
        with pytest.raises(PermissionDenied, match="above the approval limit.*can't be paid"):
            bill_pay_now(actor=bookkeeper, bill=bill, account=account, idempotency_key="k",
                         approval_limit=LIMIT)
        assert not Action.objects.exists()
        qbo_sync_run(tenant_a)  # another sync changes nothing more: one lapse, not two
        assert BillEvent.objects.filter(bill=bill, kind="approval_lapsed").count() == 1
        bill_approve(actor=owner, bill=bill, approval_limit=LIMIT)
        assert Bill.objects.get(pk=bill.pk).approved_amount == Decimal("50000.00")
