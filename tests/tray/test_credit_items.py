"""A customer's unused credit is already netted by the forecast (DESIGN §4b), so its tray item
is worth no runway days, with or without an open invoice to apply it to."""

from decimal import Decimal

import pytest

from apps.tray.models import TrayItem
from apps.tray.services import tray_generate
from tests.factories import CreditMemoFactory, CustomerFactory
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def test_a_credit_with_no_open_invoice_is_worth_no_days(tenant_a):
    with in_tenant(tenant_a):
        acme = CustomerFactory(display_name="Acme")
        memo = CreditMemoFactory(customer=acme, total=Decimal("300.00"))
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        item = TrayItem.objects.get(key=f"credit:{memo.pk}")
    assert item.impact_days == Decimal("0.0")
    assert item.impact_sentence == (
        "No open invoice of Acme's to apply it to: the forecast does not count it.")
