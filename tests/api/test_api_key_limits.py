"""What an API key cannot do: manage keys or the team (a leaked key that could mint keys or
invite an owner would outlive its own revocation)."""

import pytest
from django.test import Client

from apps.accounts.models import Invitation, Membership, Role
from apps.api.keys import api_key_create
from apps.api.models import ApiKey
from tests.factories import make_member
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _key(business, owner, scope="write"):
    with in_tenant(business):
        return api_key_create(actor=owner, business=business, name="sheet", scope=scope)


def _with_key(business, raw):
    return Client(HTTP_HOST=f"{business.slug}.localhost", HTTP_AUTHORIZATION=f"Api-Key {raw}")


def _with_jwt(business, user):
    client = Client(HTTP_HOST=f"{business.slug}.localhost")
    access = client.post("/api/v1/auth/token/", {"email": user.email,
                                                 "password": "correct-horse-battery"},
                         content_type=JSON).json()["access"]
    return Client(HTTP_HOST=f"{business.slug}.localhost", HTTP_AUTHORIZATION=f"Bearer {access}")


def _refused(response):
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["code"] == "api_key_refused" and "signed-in session" in error["message"]


def test_a_write_key_cannot_create_or_revoke_keys(tenant_a, owner_a):
    leaked, raw = _key(tenant_a, owner_a)
    keyed = _with_key(tenant_a, raw)
    _refused(keyed.post("/api/v1/keys/", {"name": "backdoor", "scope": "write"},
                        content_type=JSON))
    _refused(keyed.delete(f"/api/v1/keys/{leaked.pk}/"))
    with in_tenant(tenant_a):
        assert list(ApiKey.objects.values_list("name", "revoked_at")) == [("sheet", None)]
    assert keyed.get("/api/v1/keys/").status_code == 200  # reading the list is harmless


def test_a_write_key_cannot_change_the_team(tenant_a, owner_a):
    _, raw = _key(tenant_a, owner_a)
    keyed = _with_key(tenant_a, raw)
    viewer = make_member(tenant_a, Role.VIEWER)
    member = Membership.objects.get(user=viewer, business=tenant_a)
    _refused(keyed.post("/api/v1/team/invitations/", {"email": "evil@example.test",
                                                      "role": "owner"}, content_type=JSON))
    assert not Invitation.objects.filter(email="evil@example.test").exists()
    _refused(keyed.post(f"/api/v1/team/members/{member.pk}/role/", {"role": "owner"},
                        content_type=JSON))
    _refused(keyed.post(f"/api/v1/team/members/{member.pk}/remove/"))
    _refused(keyed.post("/api/v1/team/firms/", {"firm": "ledgerly"}, content_type=JSON))
    member.refresh_from_db()
    assert member.role == Role.VIEWER
    assert keyed.get("/api/v1/team/").status_code == 200


def test_a_signed_in_owner_still_manages_keys_and_the_team(tenant_a, owner_a):
    jwt = _with_jwt(tenant_a, owner_a)
    created = jwt.post("/api/v1/keys/", {"name": "Sheets", "scope": "read"}, content_type=JSON)
    assert created.status_code == 201, created.content
    invited = jwt.post("/api/v1/team/invitations/", {"email": "new@example.test",
                                                     "role": "viewer"}, content_type=JSON)
    assert invited.status_code == 201, invited.content
    session = client_for(tenant_a, owner_a)
    assert session.delete(f"/api/v1/keys/{created.json()['id']}/").status_code == 204
