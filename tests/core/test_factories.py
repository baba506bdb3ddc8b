"""The factories make rows where the tests expect them: in the named business's schema (its
sub-factories too), or in the schema the test is already in."""

from decimal import Decimal

import pytest

from apps.accounts.models import Membership, Role
from apps.ap.models import Bill, Vendor
from tests import factories
from tests.factories import BillFactory, VendorFactory, make_member
from tests.utils import in_tenant

TENANT_FACTORIES = [
    getattr(factories, name) for name in factories.__all__
    if name.endswith("Factory") and name not in ("TenantFactory", "QboSyncedFactory")
    and issubclass(getattr(factories, name), factories.TenantFactory)
]


@pytest.mark.parametrize("factory_class", TENANT_FACTORIES, ids=lambda f: f.__name__)
def test_every_tenant_factory_makes_a_valid_row_in_the_business(tenant_a, factory_class):
    row = factory_class(business=tenant_a)
    with in_tenant(tenant_a):
        nullable = [f.name for f in type(row)._meta.fields if f.null]  # None is a stored state
        row.full_clean(exclude=nullable, validate_unique=False, validate_constraints=False)
        assert type(row).objects.filter(pk=row.pk).exists()


def _counts(business):
    with in_tenant(business):
        return Bill.objects.count(), Vendor.objects.count()


def test_business_argument_puts_the_row_and_its_parents_in_that_schema(tenant_a, tenant_b):
    before_a, before_b = _counts(tenant_a), _counts(tenant_b)
    bill = BillFactory(business=tenant_a, total=Decimal("12.50"))
    with in_tenant(tenant_a):
        stored = Bill.objects.select_related("vendor").get(pk=bill.pk)
        assert stored.balance == Decimal("12.50") and stored.vendor_qbo_id == stored.vendor.qbo_id
    assert _counts(tenant_a) == (before_a[0] + 1, before_a[1] + 1)
    assert _counts(tenant_b) == before_b


def test_without_a_business_the_current_schema_is_used(tenant_b):
    with in_tenant(tenant_b):
        vendor = VendorFactory(display_name="Only in B")
        assert Vendor.objects.get(pk=vendor.pk).display_name == "Only in B"


def test_make_member_is_idempotent(tenant_a):
    first = make_member(tenant_a, Role.VIEWER)
    assert make_member(tenant_a, Role.VIEWER) == first
    assert Membership.objects.get(user=first, business=tenant_a).role == Role.VIEWER
    assert first.check_password("correct-horse-battery")
