"""No request handler and no task (outside migrations) runs one SQL statement across more than
one business schema (DESIGN §9, docs/scaling.md): cross-business pages read public rows.

Every URL pattern of the public host (as staff with 2FA, and as a firm partner) and of a
business host (as its owner) is requested, and every dispatcher task registered with Celery
(plus the per-business digest and snapshot tasks) is run, with all SQL captured."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_tenants.utils import tenant_context

from apps.core.tasks import PublicTask
from apps.tenancy.models import Business
from apps.tenancy.summary import summary_refresh
from tests.drills.probe import concrete, walk
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.firm.helpers import grant, make_client, make_firm
from tests.utils import client_for


def tenant_schemas() -> set[str]:
    return set(Business.objects.exclude(schema_name="public").values_list("schema_name",
                                                                           flat=True))


def schemas_named(sql: str, schemas: set[str]) -> set[str]:
    """Tenant schemas a statement qualifies a name with (`"alpha".t` or `alpha.t`)."""
    named = set(re.findall(r'"([^"]+)"\s*\.', sql)) | set(re.findall(r"\b([a-z_][\w]*)\.", sql))
    return named & schemas


def cross_schema(statements: list[str], schemas: set[str]) -> list[str]:
    bad = []
    for sql in statements:
        named = schemas_named(sql, schemas)
        if len(named) > 1 or (named and re.search(r"\bUNION\b", sql, re.I)):
            bad.append(sql[:300])
    return bad


def test_the_detector_catches_a_union_over_schemas():
    old_staff_page = ('SELECT 1, r.id FROM "alpha".digest_digestrun r UNION ALL '
                      'SELECT 2, r.id FROM "beta".digest_digestrun r ORDER BY 2')
    assert cross_schema([old_staff_page], {"alpha", "beta"}) == [old_staff_page]
    assert cross_schema(['SELECT * FROM "alpha"."t" UNION SELECT * FROM "public"."u"'],
                        {"alpha", "beta"}) != []
    assert cross_schema(['SET search_path = "alpha","public"', 'SELECT * FROM "t"'],
                        {"alpha", "beta"}) == []


def _staff_client():

    staff = UserFactory(email="ops@oodaloo.test", password="a-long-password-1", superuser=True)
    device = TOTPDeviceFactory(user=staff)
    client = client_for(None, staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _get_every_route(client, urlconf: str, replace: dict[str, str]) -> int:
    from django.urls import get_resolver

    client.raise_request_exception = False  # a broken page is another test's business
    n = 0
    for route, _view in walk(get_resolver(urlconf).url_patterns):
        if "logout" in route:
            continue  # keep the session for the routes after it
        for key, value in replace.items():
            route = route.replace(key, value)
        client.get(concrete(route))
        n += 1
    return n


@pytest.mark.usefixtures("memory_broker")
def test_no_request_or_task_runs_sql_across_business_schemas(tenant_a, tenant_b, owner_a):
    from oodaloo.celery import app as celery_app

    firm, partner = make_firm()
    for b in (tenant_a, tenant_b):
        make_client(firm, b, partner)
    grant(firm, tenant_a, partner, partner)
    grant(firm, tenant_b, partner, partner)
    for b in (tenant_a, tenant_b):
        summary_refresh(b)
    schemas = tenant_schemas()
    assert {"alpha", "beta"} <= schemas
    staff = _staff_client()
    with CaptureQueriesContext(connection) as ctx:
        routes = _get_every_route(staff, "oodaloo.urls_public", {})
        assert staff.get("/admin/digest/runs/").status_code == 200
        assert staff.get("/admin/staff/home/").status_code == 200
        routes += _get_every_route(client_for(None, partner), "oodaloo.urls_public",
                                   {"<slug:firm_slug>": firm.slug,
                                    "<slug:business_slug>": "alpha"})
        routes += _get_every_route(client_for(tenant_a, owner_a), "oodaloo.urls_tenant", {})
        connection.set_schema_to_public()
        dispatchers = [t for t in celery_app.tasks.values() if isinstance(t, PublicTask)]
        for task in dispatchers:
            task.apply()
        with tenant_context(tenant_a):
            celery_app.tasks["digest.send"].apply(args=["2026-W10"])
            celery_app.tasks["runway.snapshot"].apply()
    assert routes > 100 and len(dispatchers) >= 5
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) > 500
    assert cross_schema(statements, schemas) == []
