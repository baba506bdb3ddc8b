"""Vendors, bills and bill payments (tenant schema)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from apps.ap.models import Bill, BillPayment, Vendor

from .base import QboSyncedFactory


class VendorFactory(QboSyncedFactory):
    class Meta:
        model = Vendor

    display_name = "Acme Rent"


class BillFactory(QboSyncedFactory):
    """A bill of `total` due on `due_date`, open for its whole amount unless `balance` says."""

    class Meta:
        model = Bill

    vendor = factory.SubFactory(VendorFactory)
    vendor_qbo_id = factory.SelfAttribute("vendor.qbo_id")
    doc_number = ""
    due_date = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    txn_date = factory.LazyAttribute(lambda o: o.due_date - timedelta(days=30))
    total = Decimal("100.00")
    balance = factory.SelfAttribute("total")
    home_total = factory.SelfAttribute("total")
    home_balance = factory.SelfAttribute("balance")
    status = Bill.Status.NEW


class BillPaymentFactory(QboSyncedFactory):
    """A payment out of `account` (money that left the bank: it counts towards the burn)."""

    class Meta:
        model = BillPayment

    txn_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    total = Decimal("100.00")
    home_total = factory.SelfAttribute("total")
    account = None
    account_qbo_id = factory.LazyAttribute(lambda o: o.account.qbo_id if o.account else "")
    vendor_qbo_id = ""
