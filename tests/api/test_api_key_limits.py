"""What an API key cannot do: manage keys or the team (a leaked key that could mint keys or
invite an owner would outlive its own revocation), and come back to life when its creator
leaves the business and rejoins."""

import pytest
from django.test import Client

from apps.accounts.firm_access import firm_client_end, firm_grant_revoke, firm_member_remove
from apps.accounts.models import Invitation, Membership, Role
from apps.accounts.services import membership_remove
from apps.api.keys import api_key_create
from apps.api.models import ApiKey
from apps.core.models import AuditEvent
from apps.tenancy.models import Business
from tests.factories import make_member
from tests.firm.helpers import add_staff, grant, make_client, make_firm
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
    assert error["code"] == "api_key_refused" and "person signed in" in error["message"]


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


def test_a_write_key_cannot_redirect_alerts_or_delete_or_reconfigure_the_business(
        tenant_a, owner_a):
    """A leaked key must not point the alert webhook elsewhere, change owner settings (the
    approval limit is a money control) or make the leak irreversible by deleting the business."""
    _, raw = _key(tenant_a, owner_a)
    keyed = _with_key(tenant_a, raw)
    headers = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    _refused(keyed.put("/api/v1/alerts/", {"webhook_url": "https://evil.example/hook"},
                       content_type=JSON, **headers))
    _refused(keyed.post("/api/v1/alerts/webhook-test/", **headers))
    _refused(keyed.patch("/api/v1/business/", {"approval_limit": "999999.00"},
                         content_type=JSON, **headers))
    _refused(keyed.delete("/api/v1/business/", {"confirm": tenant_a.slug}, content_type=JSON,
                          **headers))
    assert Business.objects.filter(pk=tenant_a.pk).exists()
    assert keyed.get("/api/v1/business/").status_code == 200
    assert keyed.get("/api/v1/alerts/").status_code == 200


def test_a_signed_in_owner_still_manages_keys_and_the_team(tenant_a, owner_a):
    jwt = _with_jwt(tenant_a, owner_a)
    created = jwt.post("/api/v1/keys/", {"name": "Sheets", "scope": "read"}, content_type=JSON)
    assert created.status_code == 201, created.content
    invited = jwt.post("/api/v1/team/invitations/", {"email": "new@example.test",
                                                     "role": "viewer"}, content_type=JSON)
    assert invited.status_code == 201, invited.content
    session = client_for(tenant_a, owner_a)
    assert session.delete(f"/api/v1/keys/{created.json()['id']}/").status_code == 204


def test_a_key_stays_dead_when_its_owner_leaves_and_rejoins(tenant_a, owner_a):
    key, raw = _key(tenant_a, owner_a)
    other = make_member(tenant_a, Role.OWNER, email="o2@example.test")
    membership_remove(actor=other, membership=Membership.objects.get(user=owner_a,
                                                                      business=tenant_a))
    with in_tenant(tenant_a):
        key.refresh_from_db()
    assert key.revoked_at is not None
    event = AuditEvent.objects.get(action="api_key.revoked", object_id=str(key.pk))
    assert event.actor_id == other.pk and event.after["reason"] == "owner_left"
    Membership.objects.create(user=owner_a, business=tenant_a, role=Role.VIEWER)
    assert _with_key(tenant_a, raw).get("/api/v1/bills/").status_code == 401


def test_a_key_made_in_an_earlier_membership_is_refused(tenant_a, owner_a):
    """A membership deleted without the service (or before keys were revoked on leaving): the
    key predates the current membership, so it is refused all the same."""
    _, raw = _key(tenant_a, owner_a)
    Membership.objects.filter(user=owner_a, business=tenant_a).delete()
    Membership.objects.create(user=owner_a, business=tenant_a, role=Role.VIEWER)
    assert _with_key(tenant_a, raw).get("/api/v1/bills/").status_code == 401


@pytest.mark.parametrize("ends", ["grant_revoked", "client_ended", "member_removed"])
def test_a_firm_taking_access_back_revokes_the_persons_keys(tenant_a, ends):
    firm, partner = make_firm()
    make_client(firm, tenant_a, partner)
    staff = add_staff(firm)
    membership = grant(firm, tenant_a, partner, staff)
    # Firm access is never an owner's, so no key can be made through it; one left from an
    # earlier ownership is planted directly.
    with in_tenant(tenant_a):
        key = ApiKey.objects.create(name="old", prefix="f1", secret_hash="x", scope="read",
                                    created_by_id=staff.pk, created_by_email=staff.email)
    if ends == "grant_revoked":
        firm_grant_revoke(actor=partner, membership=membership)
    elif ends == "client_ended":
        firm_client_end(actor=partner, link=firm.clients.get(business=tenant_a))
    else:
        firm_member_remove(actor=partner, member=firm.members.get(user=staff))
    with in_tenant(tenant_a):
        key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoked", object_id=str(key.pk)).exists()
