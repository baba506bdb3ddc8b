"""Vendors, bills and bill payments (tenant schema)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from apps.ap.documents.models import Document
from apps.ap.models import Bill, BillPayment, Vendor, VendorCredit

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


class VendorCreditFactory(QboSyncedFactory):
    """Money a vendor owes back (QBO VendorCredit), unapplied."""

    class Meta:
        model = VendorCredit

    vendor = factory.SubFactory(VendorFactory)
    vendor_qbo_id = factory.SelfAttribute("vendor.qbo_id")
    txn_date = factory.LazyFunction(date.today)
    total = Decimal("50.00")
    balance = factory.SelfAttribute("total")
    home_total = factory.SelfAttribute("total")


class DocumentFactory(TenantFactory):
    """A received bill file (no stored bytes: enough for lists, status and isolation)."""

    class Meta:
        model = Document

    source = Document.Source.UPLOAD
    original_name = "bill.pdf"
    content_type = "application/pdf"
    size = 1234
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
