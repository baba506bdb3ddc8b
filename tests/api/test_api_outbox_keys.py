"""Any `Idempotency-Key` the API accepts (up to 200 characters) is one the outbox's services
take: a payment or a credit applied under a long key is queued once, not refused as "out of
date"."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.accounts.models import Role
from apps.ap.services import bill_pay_now
from apps.ar.credits import MEMO
from apps.ar.models import CreditMemo, Invoice
from apps.core.errors import ApplicationError
from apps.integrations.sync.models import Action
from tests import factories as fx
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db

# 150 characters: past the 36 the credit applies took and the 100 bill payments took.
LONG_KEY = ("order-2026-12-06-" + "9f1c2d7e" * 16)[:142] + "-retry-1"



def _bill_payment(today):
    bill = f.bill(f.vendor("Rent Co"), "400.00", today + timedelta(days=3))
    return f"/api/v1/bills/{bill.pk}/payments/", {"account": f.account().pk, "amount": "150.00"}


def _credit_memo(today):
    customer = f.customer()
    invoice = f.invoice(customer, "300.00", today + timedelta(days=10))
    memo = f.credit_memo(customer, "100.00")
    return f"/api/v1/credits/{memo.pk}/apply/", {"invoice": invoice.pk}


def _overpayment(today):
    customer = f.customer()
    invoice = f.invoice(customer, "300.00", today + timedelta(days=10))
    payment = fx.PaymentFactory(customer=customer, unapplied_amount=Decimal("50.00"))
    return f"/api/v1/overpayments/{payment.pk}/apply/", {"invoice": invoice.pk}


def _vendor_credit(today):
    vendor = f.vendor("Parts Co")
    bill = f.bill(vendor, "400.00", today + timedelta(days=3))
    credit = fx.VendorCreditFactory(vendor=vendor)
    f.account()  # the credit is recorded against a bank account in its currency
    return f"/api/v1/vendor-credits/{credit.pk}/apply/", {"bill": bill.pk}


@pytest.mark.parametrize("make", [_bill_payment, _credit_memo, _overpayment, _vendor_credit],
                         ids=["bill payment", "credit memo", "overpayment", "vendor credit"])
def test_a_long_idempotency_key_is_queued_once(tenant_a, make):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        url, body = make(f.today_of(tenant_a))
    assert len(LONG_KEY) == 150
    client = client_for(tenant_a, make_member(tenant_a, Role.OWNER))
    first = client.post(url, body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=LONG_KEY)
    assert first.status_code == 202, first.content
    again = client.post(url, body, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=LONG_KEY)
    assert again.status_code == 202 and again.json() == first.json()
    with in_tenant(tenant_a):
        assert Action.objects.count() == 1
    too_long = client.post(url, body, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert too_long.status_code == 400
    assert too_long.json()["error"]["code"] == "idempotency_key_invalid"


def test_the_services_name_a_too_long_key_as_such(tenant_a):
    """Past the bound the refusal says so (it said the form was out of date)."""
    owner = make_member(tenant_a, Role.OWNER)
    with in_tenant(tenant_a):
        _credit_memo(f.today_of(tenant_a))
        customer_invoice = Invoice.objects.get()
        memo = CreditMemo.objects.get()
        with pytest.raises(ApplicationError, match="too long"):
            MEMO.apply(actor=owner, row=memo, document=customer_invoice,
                       idempotency_key="k" * 201)
        bill = f.bill(f.vendor("Rent Co"), "400.00", f.today_of(tenant_a))
        with pytest.raises(ApplicationError, match="too long"):
            bill_pay_now(actor=owner, bill=bill, account=f.account(),
                         idempotency_key="k" * 201, approval_limit=Decimal("0"))
