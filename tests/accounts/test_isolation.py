"""A member of one business gets 404 on every URL of another business (URL patterns iterated)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.accounts.models import Role
from apps.accounts.permissions import OPEN
from tests.utils import client_for, make_member

DUMMY = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "x",
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _concrete(route: str) -> str:
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY.get(m.group(1) or "str", "1"), route)
    route = route.lstrip("^").rstrip("$").replace("\\", "")
    return "/" + route


def tenant_routes():
    return [
        (route, view) for route, view in _walk(get_resolver("oodaloo.urls_tenant").url_patterns)
    ]


def _access(view):
    return getattr(view, "oodaloo_access", None) or getattr(
        getattr(view, "cls", None), "oodaloo_access", None
    )


def test_every_tenant_view_declares_its_access():
    missing = [route for route, view in tenant_routes() if _access(view) is None]
    assert missing == []


@pytest.mark.parametrize("role", [Role.OWNER, Role.BOOKKEEPER, Role.VIEWER])
def test_member_of_a_gets_404_on_every_non_open_url_of_b(tenant_a, tenant_b, role):
    user = make_member(tenant_a, role)
    client = client_for(tenant_b, user)
    checked = 0
    for route, view in tenant_routes():
        if _access(view) == OPEN:
            continue
        url = _concrete(route)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (method, url, response.status_code)
            assert tenant_b.name.encode() not in response.content, (method, url)
            checked += 1
    assert checked >= 2


def test_admin_is_not_served_on_business_hosts(tenant_a):
    staff = make_member(tenant_a, Role.OWNER, email="staffer@oodaloo.test")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    response = client_for(tenant_a, staff).get("/admin/")
    assert response.status_code == 404


def test_member_sees_own_business(tenant_a, owner_a):
    response = client_for(tenant_a, owner_a).get("/")
    assert response.status_code == 200
    assert tenant_a.name.encode() in response.content
