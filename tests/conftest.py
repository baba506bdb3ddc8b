"""Shared fixtures: the test database gets the public host, the template schema and two
businesses (alpha, beta) once per session; tests run inside a business with `in_tenant`."""

import pytest
from django.db import connection

from apps.accounts.models import Role
from tests.utils import make_member


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from apps.tenancy.models import Business
    from apps.tenancy.services import (
        business_provision,
        public_tenant_ensure,
        template_schema_ensure,
    )

    with django_db_blocker.unblock():
        public_tenant_ensure()
        template_schema_ensure()
        for slug, name, tz in (
            ("alpha", "Alpha Studio", "America/Los_Angeles"),
            ("beta", "Beta Works", "Australia/Sydney"),
        ):
            if not Business.objects.filter(slug=slug).exists():
                business_provision(slug=slug, name=name, timezone=tz)
        connection.set_schema_to_public()


@pytest.fixture
def tenant_a(db):
    from apps.tenancy.models import Business

    return Business.objects.get(slug="alpha")


@pytest.fixture
def tenant_b(db):
    from apps.tenancy.models import Business

    return Business.objects.get(slug="beta")


@pytest.fixture(autouse=True)
def _back_to_public():
    yield
    connection.set_schema_to_public()


@pytest.fixture
def owner_a(tenant_a):
    return make_member(tenant_a, Role.OWNER)


@pytest.fixture
def owner_b(tenant_b):
    return make_member(tenant_b, Role.OWNER)
