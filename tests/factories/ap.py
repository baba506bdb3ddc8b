"""Vendors, bills and bill payments (tenant schema)."""

from __future__ import annotations

import factory

from apps.ap.models import Bill, BillPayment, Vendor

from .base import MoneyMovementFactory, OpenDocumentFactory, QboSyncedFactory


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
