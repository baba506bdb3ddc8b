"""A small, realistic book for one business: a bank account, 90 days of spending, overdue
invoices from a chronically late customer, bills due soon, a Prep Tray item."""

from datetime import date, timedelta
from decimal import Decimal

from django_tenants.utils import tenant_context

from apps.ap.models import Bill, Vendor
from apps.ar.models import Customer, Invoice
from apps.bank.models import Account, Purchase
from apps.runway.cache import runway_invalidate
from apps.tray.models import TrayItem
from tests.factories import (
    AccountFactory,
    BillFactory,
    CustomerFactory,
    InvoiceFactory,
    PurchaseFactory,
    TrayItemFactory,
    VendorFactory,
)


def seed_books(business, today: date) -> None:
    with tenant_context(business):
        AccountFactory(realm_id="r", qbo_id="35", name="Operating",
                       current_balance=Decimal("84250.00"))
        for i in range(1, 90, 7):  # weekly payroll-ish + rent
            PurchaseFactory(realm_id="r", qbo_id=f"p{i}", account_qbo_id="35",
                            txn_date=today - timedelta(days=i), total=Decimal("6100.00"),
                            counterparty="Gusto Payroll")
        late = CustomerFactory(realm_id="r", qbo_id="c1", display_name="Slowpoke Media", email="")
        good = CustomerFactory(realm_id="r", qbo_id="c2", display_name="Prompt & Co", email="")
        for n in range(5):  # Slowpoke's paid history: always ~40 days late
            txn = today - timedelta(days=200 - n * 30)
            InvoiceFactory(
                realm_id="r", qbo_id=f"h{n}", customer=late, txn_date=txn,
                due_date=txn + timedelta(days=30), total=Decimal("5000.00"), balance=Decimal(0),
                paid_date=txn + timedelta(days=70))
        for n, (cust, days_overdue, amount) in enumerate(
            [(late, 45, "12400.00"), (late, 12, "3100.00"), (good, -10, "8800.00")]
        ):
            due = today - timedelta(days=days_overdue)
            InvoiceFactory(realm_id="r", qbo_id=f"i{n}", customer=cust, doc_number=f"10{n}",
                           due_date=due, total=Decimal(amount))
        vendor = VendorFactory(realm_id="r", qbo_id="v1", display_name="WeWork Rent")
        saas = VendorFactory(realm_id="r", qbo_id="v2", display_name="Figma")
        for n, (v, days, amount) in enumerate([(vendor, 5, "9500.00"), (saas, -2, "720.00"),
                                               (vendor, 40, "9500.00")]):
            BillFactory(realm_id="r", qbo_id=f"b{n}", vendor=v, txn_date=today - timedelta(days=20),
                        due_date=today + timedelta(days=days), total=Decimal(amount))
        TrayItemFactory(key="invoice:i0:chase", kind="invoice_chase",
                        title="Chase Slowpoke Media for $12,400.00",
                        detail="Invoice 100 is 45 days overdue", amount=Decimal("12400.00"),
                        impact_sentence="Collecting it adds 14.9 days of runway.", tier=1)
    runway_invalidate(business)


def clear_books(business) -> None:
    from apps.digest.models import DigestRun

    with tenant_context(business):
        DigestRun.objects.all().delete()
        TrayItem.objects.all().delete()
        Bill.objects.all().delete()
        Vendor.objects.all().delete()
        Invoice.objects.all().delete()
        Customer.objects.all().delete()
        Purchase.objects.all().delete()
        Account.objects.all().delete()
    runway_invalidate(business)
