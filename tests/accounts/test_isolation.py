"""A member of one business gets 404 on every URL of another business (URL patterns iterated)."""

import pytest

from apps.accounts.models import Role
from apps.accounts.permissions import OPEN
from tests.drills.probe import access_of, concrete, tenant_routes
from tests.factories import make_member
from tests.utils import client_for


def test_every_tenant_view_declares_its_access():
    missing = [route for route, view in tenant_routes() if access_of(view) is None]
    assert missing == []


@pytest.mark.parametrize("role", [Role.OWNER, Role.BOOKKEEPER, Role.VIEWER])
def test_member_of_a_gets_404_on_every_non_open_url_of_b(tenant_a, tenant_b, role):
    user = make_member(tenant_a, role)
    client = client_for(tenant_b, user)
    checked = 0
    for route, view in tenant_routes():
        if access_of(view) == OPEN:
            continue
        url = concrete(route)
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
