"""Tenant-aware factory-boy base: rows of a business's own tables are created in its schema.

`VendorFactory(business=tenant_a, ...)` switches to `tenant_a`'s schema for the insert and back
afterwards; without `business` the row goes to the schema the test is already in (`in_tenant`).
"""

from __future__ import annotations

import itertools
from contextlib import nullcontext
from datetime import date, timedelta
from decimal import Decimal

import factory
from django_tenants.utils import tenant_context

REALM = "9130"  # the QuickBooks realm of factory-made rows
_qbo_ids = itertools.count(1000)


def next_qbo_id() -> str:
    """A QuickBooks Id no other factory row in this run has."""
    return str(next(_qbo_ids))


class TenantFactory(factory.django.DjangoModelFactory):
    """Creates the row in `business`'s schema when one is given (an argument, not a field)."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        # The whole creation — sub-factories included — runs in the business's schema.
        business = params.pop("business", None)
        with tenant_context(business) if business is not None else nullcontext():
            return super()._generate(strategy, params)


class QboSyncedFactory(TenantFactory):
    """Rows mirrored from QuickBooks: a realm and a unique QBO Id."""

    class Meta:
        abstract = True

    realm_id = REALM
    qbo_id = factory.LazyFunction(next_qbo_id)


class OpenDocumentFactory(QboSyncedFactory):
    """A bill or an invoice: `total` due on `due_date`, open for all of it unless `balance` says."""

    class Meta:
        abstract = True

    doc_number = ""
    due_date = factory.LazyFunction(lambda: date.today() + timedelta(days=14))
    txn_date = factory.LazyAttribute(lambda o: o.due_date - timedelta(days=30))
    total = Decimal("100.00")
    balance = factory.SelfAttribute("total")
    home_total = factory.SelfAttribute("total")
    home_balance = factory.SelfAttribute("balance")


class MoneyMovementFactory(QboSyncedFactory):
    """Money in or out of `account` ten days ago (a purchase, a deposit, a bill payment)."""

    class Meta:
        abstract = True

    account = None
    account_qbo_id = factory.LazyAttribute(lambda o: o.account.qbo_id if o.account else "")
    txn_date = factory.LazyFunction(lambda: date.today() - timedelta(days=10))
    total = Decimal("100.00")
    home_total = factory.SelfAttribute("total")


class SingletonFactory(TenantFactory):
    """The schema's one settings row: fetched (made if missing) and given the fields passed."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row, _ = model_class.objects.get_or_create(singleton=1)
        for name, value in kwargs.items():
            setattr(row, name, value)
        if kwargs:
            row.save()
        return row
