"""apps.tenancy.middleware: a request never runs on another business's search path, and a
repeated request for the same business sends no `SET search_path` at all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from tests.portal import factories as f
from tests.utils import client_for, in_tenant, make_member

pytestmark = pytest.mark.django_db


def _sets(client, url) -> tuple[list[str], bytes]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SET search_path")], \
        response.content


def test_alternating_businesses_each_get_their_own_path(tenant_a, tenant_b):
    for business, doc in ((tenant_a, "ALPHA-BILL"), (tenant_b, "BETA-BILL")):
        with in_tenant(business):
            f.fresh_runway(business)
            f.bill(f.vendor(f"Vendor {doc}"), "10.00", f.today_of(business), doc=doc)
    a = client_for(tenant_a, make_member(tenant_a, Role.OWNER))
    b = client_for(tenant_b, make_member(tenant_b, Role.OWNER))
    for client, mine, theirs, schema in ((a, b"ALPHA-BILL", b"BETA-BILL", tenant_a.schema_name),
                                         (b, b"BETA-BILL", b"ALPHA-BILL", tenant_b.schema_name),
                                         (a, b"ALPHA-BILL", b"BETA-BILL", tenant_a.schema_name)):
        sets, html = _sets(client, "/bills/?status=all")
        assert mine in html and theirs not in html
        assert sets == [f'SET search_path = "{schema}","public"']  # switched, never skipped


def test_the_same_business_again_sends_no_set(tenant_a):
    client = client_for(tenant_a, make_member(tenant_a, Role.OWNER))
    client.get("/bills/")  # the connection now has alpha's path
    sets, _ = _sets(client, "/bills/")
    assert sets == []
    connection.set_schema_to_public()  # the path is unknown now: both switches happen again
    sets, _ = _sets(client, "/bills/")
    assert sets == ['SET search_path = "public"',
                    f'SET search_path = "{tenant_a.schema_name}","public"']


def test_an_unknown_host_is_not_found_and_a_known_one_gets_its_business(tenant_a):
    """The host lookup (one prepared statement) returns the business the ORM would."""
    from apps.tenancy.middleware import business_for_host
    from apps.tenancy.models import Business, Domain

    connection.set_schema_to_public()
    host = Domain.objects.filter(tenant=tenant_a).values_list("domain", flat=True).first()
    found = business_for_host(Domain, host)
    expected = Business.objects.get(pk=tenant_a.pk)
    assert found == expected and found.schema_name == tenant_a.schema_name
    assert {f.attname: getattr(found, f.attname) for f in Business._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Business._meta.concrete_fields}
    with pytest.raises(Domain.DoesNotExist):
        business_for_host(Domain, "nobody.example")
