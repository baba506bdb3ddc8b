"""The factories make rows where the tests expect them: in the named business's schema (its
sub-factories too), or in the schema the test is already in. Every concrete model of the
project has a factory (so a new model cannot arrive without one)."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from apps.accounts.models import Membership, Role
from apps.ap.models import Bill, Vendor
from tests import factories
from tests.factories import BillFactory, VendorFactory, make_member
from tests.utils import in_tenant

ALL_FACTORIES = [
    getattr(factories, name) for name in factories.__all__
    if name.endswith("Factory") and not getattr(factories, name)._meta.abstract
]
TENANT_FACTORIES = [f for f in ALL_FACTORIES if issubclass(f, factories.TenantFactory)]
PUBLIC_FACTORIES = [f for f in ALL_FACTORIES if f not in TENANT_FACTORIES]


def _project_models():
    return [m for m in apps.get_models()
            if m.__module__.startswith("apps.") and not (m._meta.abstract or m._meta.proxy)]


def test_every_concrete_model_has_a_factory():
    covered = {f._meta.model for f in ALL_FACTORIES}
    missing = sorted(m._meta.label for m in _project_models() if m not in covered)
    assert not missing, f"models without a factory in tests/factories: {missing}"


def test_tenant_models_have_tenant_aware_factories():
    # A tenant app's row made by a plain factory would land in whatever schema is current.
    tenant_apps = set(settings.TENANT_APPS) - set(settings.SHARED_APPS)
    wrong = sorted(f.__name__ for f in ALL_FACTORIES
                   if f._meta.model._meta.app_config.name in tenant_apps
                   and not issubclass(f, factories.TenantFactory))
    assert not wrong, f"tenant models made by factories that ignore `business=`: {wrong}"


@pytest.mark.parametrize("factory_class", TENANT_FACTORIES, ids=lambda f: f.__name__)
def test_every_tenant_factory_makes_a_valid_row_in_the_business(tenant_a, factory_class):
    row = factory_class(business=tenant_a)
    with in_tenant(tenant_a):
        nullable = [f.name for f in type(row)._meta.fields if f.null]  # None is a stored state
        row.full_clean(exclude=nullable, validate_unique=False, validate_constraints=False)
        assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("factory_class", PUBLIC_FACTORIES, ids=lambda f: f.__name__)
def test_every_public_factory_makes_a_valid_row(tenant_a, factory_class):
    fields = {f.name for f in factory_class._meta.model._meta.fields}
    kwargs = {"business": tenant_a} if "business" in fields else {}
    if "tenant" in fields:
        kwargs["tenant"] = tenant_a
    row = factory_class(**kwargs)
    assert connection.schema_name == "public"
    nullable = [f.name for f in type(row)._meta.fields if f.null]
    # A provisioned business's schema_name is set by the provisioning, not validated here.
    row.full_clean(exclude=[*nullable, "schema_name"], validate_unique=False,
                   validate_constraints=False)
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
