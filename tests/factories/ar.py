"""Customers, invoices, payments (with their invoice lines), credit memos, sales and refund
receipts (tenant schema)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from apps.ar.models import (
    CreditMemo,
    Customer,
    Invoice,
    Payment,
    PaymentLine,
    RefundReceipt,
    SalesReceipt,
)

from .base import OpenDocumentFactory, QboSyncedFactory, TenantFactory


class CustomerFactory(QboSyncedFactory):
    class Meta:
        model = Customer

    display_name = "Bolt Studio"
    email = "ap@bolt.test"


class InvoiceFactory(OpenDocumentFactory):
    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory)
    customer_qbo_id = factory.SelfAttribute("customer.qbo_id")
    paid_date = None
    bill_email = factory.SelfAttribute("customer.email")


class CreditMemoFactory(QboSyncedFactory):
    class Meta:
        model = CreditMemo

    customer = factory.SubFactory(CustomerFactory)
    customer_qbo_id = factory.SelfAttribute("customer.qbo_id")
    txn_date = date(2025, 1, 1)
    total = Decimal("100.00")
    balance = factory.SelfAttribute("total")


class PaymentFactory(QboSyncedFactory):
    """A customer payment received (lines linking it to invoices are made by the test)."""

    class Meta:
        model = Payment

    customer = factory.SubFactory(CustomerFactory)
    customer_qbo_id = factory.SelfAttribute("customer.qbo_id")
    txn_date = factory.LazyFunction(lambda: date.today() - timedelta(days=3))
    total = Decimal("100.00")
    home_total = factory.SelfAttribute("total")


class PaymentLineFactory(TenantFactory):
    """The part of a customer payment applied to `invoice`."""

    class Meta:
        model = PaymentLine

    payment = factory.SubFactory(PaymentFactory)
    invoice = factory.SubFactory(InvoiceFactory)
    invoice_qbo_id = factory.LazyAttribute(lambda o: o.invoice.qbo_id if o.invoice else "")
    amount = Decimal("100.00")


class _ReceiptFactory(QboSyncedFactory):
    """Money in (sales receipt) or back out (refund receipt) on `deposit_account`."""

    class Meta:
        abstract = True

    customer = factory.SubFactory(CustomerFactory)
    customer_qbo_id = factory.LazyAttribute(lambda o: o.customer.qbo_id if o.customer else "")
    txn_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    total = Decimal("100.00")
    home_total = factory.SelfAttribute("total")
    deposit_account = None
    deposit_account_qbo_id = factory.LazyAttribute(
        lambda o: o.deposit_account.qbo_id if o.deposit_account else "")


class SalesReceiptFactory(_ReceiptFactory):
    class Meta:
        model = SalesReceipt


class RefundReceiptFactory(_ReceiptFactory):
    class Meta:
        model = RefundReceipt
