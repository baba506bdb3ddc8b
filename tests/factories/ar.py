"""Customers, invoices, payments and credit memos (tenant schema)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from apps.ar.models import CreditMemo, Customer, Invoice, Payment

from .base import OpenDocumentFactory, QboSyncedFactory


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
