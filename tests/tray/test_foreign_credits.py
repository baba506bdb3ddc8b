"""A customer's credit in another currency is shown in its own money and never enters the
tray's home-currency figures unconverted (DESIGN §4b: money never mixes currencies)."""

from decimal import Decimal

import pytest

from apps.tray.models import TrayItem
from apps.tray.services import tray_generate
from tests.factories import CreditMemoFactory, CustomerFactory, InvoiceFactory
from tests.utils import in_tenant

pytestmark = pytest.mark.django_db


def test_a_cad_credit_memo_is_told_in_cad_with_no_home_figure(tenant_a):
    with in_tenant(tenant_a):
        maple = CustomerFactory(display_name="Maple Co", currency="CAD")
        invoice = InvoiceFactory(customer=maple, currency="CAD", total=Decimal("500.00"),
                       home_total=Decimal("365.00"), home_balance=Decimal("365.00"))
        memo = CreditMemoFactory(customer=maple, currency="CAD", total=Decimal("2000.00"))
    tray_generate(tenant_a)
    with in_tenant(tenant_a):
        item = TrayItem.objects.get(key=f"credit:{memo.pk}")
    assert "CA$2,000.00 of credit" in item.detail and "CA$500.00 open" in item.detail
    assert "$2,000.00" not in item.detail.replace("CA$2,000.00", "")
    assert item.amount is None and item.impact_days is None
    assert item.impact_sentence == (
        "The forecast already counts this credit against Maple Co's open invoices at today's "
        f"rate; applying CA$500.00 to invoice {invoice.doc_number or invoice.qbo_id} in "
        "QuickBooks makes the books agree.")
