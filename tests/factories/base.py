"""Tenant-aware factory-boy base: rows of a business's own tables are created in its schema.

`VendorFactory(business=tenant_a, ...)` switches to `tenant_a`'s schema for the insert and back
afterwards; without `business` the row goes to the schema the test is already in (`in_tenant`).
"""

from __future__ import annotations

import itertools
from contextlib import nullcontext

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
