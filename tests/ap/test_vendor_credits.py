"""Applying a vendor's credit to its next bill through the outbox, against the real QBO sandbox
(the second worked example's company): one zero-total BillPayment linking the Bill and the
VendorCredit, exactly once; both balances go down; the forecast does not move (it already nets
the credit, DESIGN §4b)."""

import json
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.accounts.models import Role
from apps.ap.models import Bill, VendorCredit
from apps.ap.services import bill_pay_now
from apps.ap.vendor_credits import KIND, VENDOR_CREDIT
from apps.core.errors import Conflict, PermissionDenied
from apps.core.models import AuditEvent
from apps.integrations.sync.models import Action
from apps.integrations.sync.outbox import NOTE_PREFIX, action_execute, action_reconcile
from apps.ledger.models import Account
from apps.tray.models import TrayItem
from apps.tray.offers import credit_offers
from apps.tray.services import tray_generate
from tests.factories import make_member
from tests.integrations.sync.qbo_company import sandbox_rows, start
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db
COMPANY = Path(__file__).parents[1] / "runway" / "real_books_company"


@pytest.fixture(autouse=True, scope="module")
def _memory_broker(memory_broker):
    yield


@pytest.fixture
def sb(tmp_path):
    directory = tmp_path / "co"
    shutil.copytree(COMPANY, directory)
    handle = start(directory)
    yield handle
    handle.stop()


@pytest.fixture
def business(sb, tenant_a, settings):
    settings.QBO_RETRY_BASE = 0.01
    settings.QBO_RETRY_CAP = 0.05
    call_command("connect_qbo", "alpha", "--sandbox", sb.base_url, stdout=StringIO())
    return tenant_a


def weeks():
    out = StringIO()
    call_command("runway", "alpha", "--as-of", "2026-11-25", "--json", stdout=out)
    data = json.loads(out.getvalue())
    return [(w["week_start"], w["ap_out"], w["closing"]) for w in data["weeks"]]


def bill_payments(sb, key):
    return [r for r in sandbox_rows(sb, "BillPayment")
            if r.get("PrivateNote") == f"{NOTE_PREFIX}{key}"]


def test_apply_a_vendor_credit_once_to_the_next_bill(business, sb):
    before = weeks()
    tray_generate(business)
    with in_tenant(business):
        credit = VendorCredit.objects.get(qbo_id="510")
        first, second = Bill.objects.get(qbo_id="501"), Bill.objects.get(qbo_id="502")
        item = TrayItem.objects.get(key=f"vendor_credit:{credit.pk}")
        assert item.status == "open" and "Bill 501 has $400.00 open" in item.detail
        assert item.impact_days == 0 and "already counts $400.00" in item.impact_sentence
        offer = credit_offers({"vendor_credit": [credit.pk]})["vendor_credit"][str(credit.pk)]
        assert offer.document.pk == first.pk and offer.amount == Decimal("400.00")
        with pytest.raises(PermissionDenied):
            VENDOR_CREDIT.apply(actor=make_member(business, Role.VIEWER), row=credit,
                                document=first, idempotency_key=offer.key)
        bookkeeper = make_member(business, Role.BOOKKEEPER)
        action = VENDOR_CREDIT.apply(actor=bookkeeper, row=credit, document=first,
                                     idempotency_key=offer.key)
        again = VENDOR_CREDIT.apply(actor=bookkeeper, row=credit, document=first,
                                    idempotency_key=offer.key)  # a double click
        assert again.pk == action.pk and action.kind == KIND
        assert Action.objects.filter(kind=KIND).count() == 1
        with pytest.raises(Conflict):  # another form while the first is in flight
            VENDOR_CREDIT.apply(actor=bookkeeper, row=credit, document=second,
                                idempotency_key="vc-other")
        assert AuditEvent.objects.filter(business=business,
                                         action="vendor_credit.applied").exists()

    action = action_execute(action)
    assert action.state == "succeeded", action.error
    action_execute(action)  # a redelivered task sends nothing more
    [payment] = bill_payments(sb, action.key)
    assert Decimal(str(payment["TotalAmt"])) == 0
    linked = {line["LinkedTxn"][0]["TxnType"]: (line["LinkedTxn"][0]["TxnId"],
                                                 Decimal(str(line["Amount"])))
              for line in payment["Line"]}
    assert linked == {"Bill": ("501", Decimal("400")), "VendorCredit": ("510", Decimal("400"))}
    sandbox_credit = next(r for r in sandbox_rows(sb, "VendorCredit") if r["Id"] == "510")
    assert Decimal(str(sandbox_credit["Balance"])) == Decimal("300")
    with in_tenant(business):  # the after-action re-read: no sync needed
        assert Bill.objects.get(pk=first.pk).balance == Decimal("0.00")
        assert VendorCredit.objects.get(pk=credit.pk).balance == Decimal("300.00")
        offer = credit_offers({"vendor_credit": [credit.pk]})["vendor_credit"][str(credit.pk)]
        assert offer.document.pk == second.pk and offer.amount == Decimal("300.00")
    assert action_reconcile(action, check_succeeded=True).drift is False
    assert weeks() == before  # the forecast already netted the credit


def test_a_bill_takes_one_payment_or_credit_at_a_time(business):
    """A payment and a credit application in flight together could each fit the balance QBO
    still shows and together pay the bill twice over."""
    with in_tenant(business):
        credit = VendorCredit.objects.get(qbo_id="510")
        first, second = Bill.objects.get(qbo_id="501"), Bill.objects.get(qbo_id="502")
        owner = make_member(business, Role.OWNER)
        account = Account.objects.in_runway().filter(currency=first.currency).first()

        def pay(bill, key):
            return bill_pay_now(actor=owner, bill=bill, account=account, idempotency_key=key,
                                approval_limit=Decimal("1000000"))

        pay(second, "bp-second")
        with pytest.raises(Conflict, match="Another payment or credit for this bill"):
            VENDOR_CREDIT.apply(actor=owner, row=credit, document=second, amount="50.00",
                                idempotency_key="vc-second")
        VENDOR_CREDIT.apply(actor=owner, row=credit, document=first, amount="50.00",
                            idempotency_key="vc-first")
        with pytest.raises(Conflict, match="vendor credit is being applied to this bill"):
            pay(first, "bp-first")
        assert sorted(Action.objects.values_list("kind", "target_type")) == [
            ("bill_payment.create", "bill"), (KIND, "vendor_credit")]


def test_the_tray_warns_when_a_rate_is_missing(business):
    tray_generate(business)
    with in_tenant(business):
        item = TrayItem.objects.get(key="currency_rate_missing")
        assert item.kind == "currency_rate" and "2,000.00 CAD" in item.detail
