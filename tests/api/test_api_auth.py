"""API: tokens carry their business; membership and roles are checked on every request."""

import json
from datetime import date
from decimal import Decimal

from django.test import Client

from apps.accounts.models import Membership, Role
from apps.accounts.services import sessions_end_everywhere
from tests.factories import BillFactory, make_member
from tests.utils import client_for


def _token(business, email, password="correct-horse-battery"):
    client = Client(HTTP_HOST=f"{business.slug}.localhost")
    response = client.post("/api/v1/auth/token/", {"email": email, "password": password},
                           content_type="application/json")
    return response


def test_token_for_member_reads_its_business_only(tenant_a, tenant_b, owner_a):
    BillFactory(business=tenant_a, vendor__display_name="Rent Co", total=Decimal("1200.00"),
                due_date=date(2026, 11, 20))
    response = _token(tenant_a, owner_a.email)
    assert response.status_code == 200, response.content
    access = response.json()["access"]
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {access}")
    bills = api.get("/api/v1/bills/")
    assert bills.status_code == 200
    body = bills.json()
    assert len(body["results"]) == 1 and body["results"][0]["vendor"] == "Rent Co"
    assert body["results"][0]["balance"] == {"amount": "1200.00", "currency": "USD"}
    other = Client(HTTP_HOST="beta.localhost", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert other.get("/api/v1/bills/").status_code == 401


def test_removed_member_token_stops_working(tenant_a):
    user = make_member(tenant_a, Role.BOOKKEEPER, email="gone@alpha.test")
    access = _token(tenant_a, user.email).json()["access"]
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.get("/api/v1/invoices/").status_code == 200
    Membership.objects.filter(user=user).delete()
    assert api.get("/api/v1/invoices/").status_code == 404


def test_non_member_gets_no_token_and_bad_tokens_are_401(tenant_a, owner_b):
    assert _token(tenant_a, owner_b.email).status_code == 403
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api.get("/api/v1/bills/")
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"] == "not_authenticated"


def test_session_user_can_read_runway_json(tenant_a, owner_a):
    response = client_for(tenant_a, owner_a).get("/api/v1/runway/")
    assert response.status_code == 200
    body = response.json()
    for key in ("as_of", "currency", "cash", "reserved", "available", "daily_burn",
                "runway_days", "low_point", "cash_zero_week", "weeks", "ar_aging", "ap_aging"):
        assert key in body
    assert len(body["weeks"]) == 13


def test_bad_filter_is_a_clear_error(tenant_a, owner_a):
    response = client_for(tenant_a, owner_a).get("/api/v1/bills/?status=bogus")
    assert response.status_code == 400
    assert "Unknown status" in response.json()["error"]["message"]


def test_api_docs_served_without_cdn(tenant_a, owner_a):
    client = client_for(tenant_a, owner_a)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/bills/" in schema.content
    assert b"openapi: 3.1.0" in schema.content
    for path in (b"/api/v1/bills/{id}/approve/", b"/api/v1/keys/", b"/api/v1/auth/refresh/"):
        assert path in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content


def _refresh(business, refresh):
    client = Client(HTTP_HOST=f"{business.slug}.localhost")
    return client.post("/api/v1/auth/refresh/", {"refresh": refresh},
                       content_type="application/json")


def test_refresh_rotates_and_a_used_refresh_is_refused(tenant_a, tenant_b, owner_a):
    first = _token(tenant_a, owner_a.email).json()
    rotated = _refresh(tenant_a, first["refresh"])
    assert rotated.status_code == 200, rotated.content
    assert rotated.json()["refresh"] != first["refresh"]
    replayed = _refresh(tenant_a, first["refresh"])
    assert replayed.status_code == 401
    assert replayed.json()["error"]["code"] == "not_authenticated"
    assert _refresh(tenant_b, rotated.json()["refresh"]).status_code == 401
    api = Client(HTTP_HOST="alpha.localhost",
                 HTTP_AUTHORIZATION=f"Bearer {rotated.json()['access']}")
    assert api.get("/api/v1/runway/").status_code == 200


def test_sign_out_revokes_the_refresh_token(tenant_a):
    viewer = make_member(tenant_a, Role.VIEWER, email="viewer@alpha.test")
    pair = _token(tenant_a, viewer.email).json()
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    out = api.post("/api/v1/auth/sign-out/", {"refresh": pair["refresh"]},
                   content_type="application/json")
    assert out.status_code == 204, out.content
    assert _refresh(tenant_a, pair["refresh"]).status_code == 401


def test_a_member_cannot_revoke_someone_elses_refresh(tenant_a, owner_a):
    other = make_member(tenant_a, Role.BOOKKEEPER, email="bk@alpha.test")
    theirs = _token(tenant_a, other.email).json()["refresh"]
    mine = _token(tenant_a, owner_a.email).json()["access"]
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {mine}")
    out = api.post("/api/v1/auth/sign-out/", {"refresh": theirs}, content_type="application/json")
    assert out.status_code == 401
    assert _refresh(tenant_a, theirs).status_code == 200


def test_sign_out_everywhere_also_ends_refresh_tokens(tenant_a, owner_a):
    pair = _token(tenant_a, owner_a.email).json()
    sessions_end_everywhere(user=owner_a)
    refused = _refresh(tenant_a, pair["refresh"])
    assert refused.status_code == 401 and "sign-out" in refused.json()["error"]["message"]
