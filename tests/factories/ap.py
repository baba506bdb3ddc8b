"""Vendors, bills, bill payments (with their bill and credit lines), vendor credits and bill
events (tenant schema). Child rows go to the schema their parent is made in."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from apps.ap.models import (
    Bill,
    BillEvent,
    BillPayment,
    BillPaymentCreditLine,
    BillPaymentLine,
    Vendor,
    VendorCredit,
    VendorCreditLine,
)

from .base import MoneyMovementFactory, OpenDocumentFactory, QboSyncedFactory, TenantFactory


class VendorFactory(QboSyncedFactory):
    class Meta:
        model = Vendor

    display_name = "Acme Rent"


class BillFactory(OpenDocumentFactory):
    class Meta:
        model = Bill

    vendor = factory.SubFactory(VendorFactory)
    vendor_qbo_id = factory.SelfAttribute("vendor.qbo_id")
    status = Bill.Status.NEW


class BillPaymentFactory(MoneyMovementFactory):
    """A payment out of `account` (money that left the bank: it counts towards the burn)."""

    class Meta:
        model = BillPayment

    vendor_qbo_id = ""


class BillPaymentLineFactory(TenantFactory):
    """The part of a bill payment that pays `bill` (in the payment's schema)."""

    class Meta:
        model = BillPaymentLine

    payment = factory.SubFactory(BillPaymentFactory)
    bill = factory.SubFactory(BillFactory)
    bill_qbo_id = factory.LazyAttribute(lambda o: o.bill.qbo_id if o.bill else "")
    amount = Decimal("100.00")


class VendorCreditFactory(QboSyncedFactory):
    """A credit the vendor owes us (QBO's Balance given unless `balance=None`)."""

    class Meta:
        model = VendorCredit

    vendor = factory.SubFactory(VendorFactory)
    vendor_qbo_id = factory.LazyAttribute(lambda o: o.vendor.qbo_id if o.vendor else "")
    txn_date = factory.LazyFunction(lambda: date.today() - timedelta(days=20))
    total = Decimal("100.00")
    balance = factory.SelfAttribute("total")
    home_total = factory.SelfAttribute("total")


class VendorCreditLineFactory(TenantFactory):
    class Meta:
        model = VendorCreditLine

    credit = factory.SubFactory(VendorCreditFactory)
    account = None
    account_qbo_id = factory.LazyAttribute(lambda o: o.account.qbo_id if o.account else "")
    amount = Decimal("100.00")


class BillPaymentCreditLineFactory(TenantFactory):
    """A vendor credit applied by a bill payment."""

    class Meta:
        model = BillPaymentCreditLine

    payment = factory.SubFactory(BillPaymentFactory, total=Decimal("0"))
    vendor_credit = factory.SubFactory(VendorCreditFactory)
    vendor_credit_qbo_id = factory.LazyAttribute(
        lambda o: o.vendor_credit.qbo_id if o.vendor_credit else "")
    amount = Decimal("100.00")


class BillEventFactory(TenantFactory):
    class Meta:
        model = BillEvent

    bill = factory.SubFactory(BillFactory)
    kind = "note"
