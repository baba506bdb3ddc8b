"""QuickBooks reference lists: exchange rates, company currencies, classes, departments,
employees (tenant schema)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from apps.ledger.models import Class, CompanyCurrency, Department, Employee, ExchangeRate

from .base import QboSyncedFactory


class ExchangeRateFactory(QboSyncedFactory):
    """1 EUR in USD on `as_of` (QBO's rate objects have no Id: ours is pair and date)."""

    class Meta:
        model = ExchangeRate

    source_currency = "EUR"
    target_currency = "USD"
    as_of = date(2026, 1, 1)
    rate = Decimal("1.0800")
    qbo_id = factory.LazyAttribute(
        lambda o: f"{o.source_currency}:{o.target_currency}:{o.as_of.isoformat()}")


class CompanyCurrencyFactory(QboSyncedFactory):
    class Meta:
        model = CompanyCurrency

    code = "EUR"


class ClassFactory(QboSyncedFactory):
    class Meta:
        model = Class

    name = factory.Sequence(lambda n: f"Class {n}")


class DepartmentFactory(QboSyncedFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")


class EmployeeFactory(QboSyncedFactory):
    class Meta:
        model = Employee

    display_name = factory.Sequence(lambda n: f"Employee {n}")
