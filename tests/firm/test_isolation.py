"""A firm member sees only the clients granted to them, on every firm route and every portal
route; a revoked grant stops working at once. Firm routes are walked from the URLconf, so a new
route is covered (and must declare its access) without editing this test."""

import pytest
from django.urls import get_resolver

from apps.accounts.firm_access import firm_grant_revoke
from apps.accounts.models import FirmMember, Role
from tests.drills.probe import concrete, tenant_routes, walk
from tests.factories import make_member
from tests.firm.helpers import add_staff, grant, make_firm
from tests.utils import client_for


def firm_routes():
    out = []
    for route, view in walk(get_resolver("oodaloo.urls_public").url_patterns):
        access = getattr(view, "firm_access", None)
        if route.startswith("firm/<"):
            out.append((route, access))
    return out


def _url(route: str, firm_slug: str, business_slug: str = "alpha") -> str:
    route = route.replace("<slug:firm_slug>", firm_slug)
    route = route.replace("<slug:business_slug>", business_slug)
    return concrete(route)


def test_every_firm_route_declares_its_access():
    routes = firm_routes()
    assert len(routes) >= 8
    assert [r for r, access in routes if access not in ("member", "partner")] == []


@pytest.mark.parametrize("who", ["stranger", "other_firm", "client_owner"])
def test_people_outside_the_firm_get_404_on_every_firm_route(firm_setup, tenant_a, who):
    firm, partner, staff = firm_setup
    if who == "stranger":
        person = make_member(tenant_a, Role.VIEWER, email="nosy@example.test")
    elif who == "other_firm":
        _other, person = make_firm("numbersco", "nia@numbers.test")
    else:
        person = make_member(tenant_a, Role.OWNER)
    client = client_for(None, person)
    for route, _access in firm_routes():
        for method in ("get", "post"):
            response = getattr(client, method)(_url(route, firm.slug))
            assert response.status_code in (404, 405), (method, route, response.status_code)
            assert firm.name.encode() not in response.content


def test_staff_get_403_on_every_partner_route(firm_setup):
    firm, _partner, staff = firm_setup
    client = client_for(None, staff)
    partner_routes = [r for r, access in firm_routes() if access == "partner"]
    assert len(partner_routes) >= 6
    for route in partner_routes:
        response = client.post(_url(route, firm.slug))
        assert response.status_code == 403, (route, response.status_code)


def test_anonymous_is_sent_to_sign_in(firm_setup):
    firm, _p, _s = firm_setup
    for route, _access in firm_routes():
        response = client_for(None).get(_url(route, firm.slug))
        assert response.status_code in (302, 405) and (
            response.status_code == 405 or "/login/" in response["Location"]), route


def test_staff_see_and_open_only_granted_clients_until_revoked(firm_setup, tenant_a, tenant_b):
    firm, partner, staff = firm_setup
    m = grant(firm, tenant_a, partner, staff)
    console = client_for(None, staff)
    page = console.get(f"/firm/{firm.slug}/")
    assert [r.business.slug for r in page.context["rows"]] == ["alpha"]
    assert tenant_b.name.encode() not in page.content
    assert tenant_b.name.encode() not in console.get(f"/firm/{firm.slug}/portfolio.csv").content
    assert console.post(f"/firm/{firm.slug}/open/beta/").status_code == 404
    assert console.post(f"/firm/{firm.slug}/open/alpha/").status_code == 302
    # Every non-open portal route of the ungranted client: 404.
    portal_b = client_for(tenant_b, staff)
    for route, view in tenant_routes():
        if getattr(view, "oodaloo_access", None) == "open":
            continue
        assert portal_b.get(concrete(route)).status_code == 404, route
    portal_a = client_for(tenant_a, staff)
    assert portal_a.get("/").status_code == 200
    firm_grant_revoke(actor=partner, membership=m)
    assert portal_a.get("/").status_code == 404  # the same session, the next request
    assert console.get(f"/firm/{firm.slug}/").context["rows"] == []
    assert console.post(f"/firm/{firm.slug}/open/alpha/").status_code == 404


def test_a_removed_firm_member_loses_the_console_and_the_clients(firm_setup, tenant_a):
    firm, partner, _staff = firm_setup
    kim = add_staff(firm, "kim@ledgerly.test")
    grant(firm, tenant_a, partner, kim)
    member = FirmMember.objects.get(firm=firm, user=kim)
    response = client_for(None, partner).post(f"/firm/{firm.slug}/team/{member.pk}/remove/")
    assert response.status_code == 302
    assert client_for(None, kim).get(f"/firm/{firm.slug}/").status_code == 404
    assert client_for(tenant_a, kim).get("/").status_code == 404
