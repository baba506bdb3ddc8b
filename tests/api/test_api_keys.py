"""API keys: owners create (shown once, hashed at rest, audited) and revoke; the scope limits
writes; a key acts as its owner under the same role checks and has its own throttle budget."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from apps.accounts.models import Membership, Role
from apps.api.models import ApiKey
from apps.core.models import AuditEvent
from tests.factories import make_member
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _create(client, scope="read", name="Sheets"):
    return client.post("/api/v1/keys/", {"name": name, "scope": scope},
                       content_type="application/json")


def _with_key(business, raw):
    return Client(HTTP_HOST=f"{business.slug}.localhost", HTTP_AUTHORIZATION=f"Api-Key {raw}")


def test_owner_creates_a_key_shown_once_and_hashed(tenant_a, owner_a):
    owner = client_for(tenant_a, owner_a)
    created = _create(owner)
    assert created.status_code == 201, created.content
    raw = created.json()["key"]
    assert raw.startswith("ood_") and len(raw) > 40
    with in_tenant(tenant_a):
        row = ApiKey.objects.get()
        assert row.secret_hash == hashlib.sha256(raw.split("_", 2)[2].encode()).hexdigest()
        assert raw.split("_", 2)[2] not in str(ApiKey.objects.values().get())
    listed = owner.get("/api/v1/keys/").json()
    assert len(listed) == 1 and "key" not in listed[0]
    assert AuditEvent.objects.filter(action="api_key.created", object_id=str(row.pk)).exists()
    assert _with_key(tenant_a, raw).get("/api/v1/runway/").status_code == 200


def test_read_key_cannot_write_and_write_key_acts_as_its_owner(tenant_a, owner_a):
    with in_tenant(tenant_a):
        f.fresh_runway(tenant_a)
        bill = f.bill(f.vendor("Rent Co"), "400.00", f.today_of(tenant_a))
    owner = client_for(tenant_a, owner_a)
    read_key = _create(owner, "read").json()["key"]
    refused = _with_key(tenant_a, read_key).post(f"/api/v1/bills/{bill.pk}/approve/")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "key_scope"
    write_key = _create(owner, "write").json()["key"]
    approved = _with_key(tenant_a, write_key).post(f"/api/v1/bills/{bill.pk}/approve/")
    assert approved.status_code == 200, approved.content
    event = AuditEvent.objects.get(action="bill.approved", object_id=str(bill.pk))
    assert event.actor_id == owner_a.pk


def test_revoked_key_and_other_business_key_are_401(tenant_a, tenant_b, owner_a):
    owner = client_for(tenant_a, owner_a)
    created = _create(owner).json()
    assert _with_key(tenant_b, created["key"]).get("/api/v1/runway/").status_code == 401
    assert owner.delete(f"/api/v1/keys/{created['id']}/").status_code == 204
    revoked = _with_key(tenant_a, created["key"]).get("/api/v1/runway/")
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "not_authenticated"
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1


def test_key_of_an_owner_who_left_stops_working(tenant_a, owner_a):
    raw = _create(client_for(tenant_a, owner_a)).json()["key"]
    Membership.objects.filter(user=owner_a, business=tenant_a).delete()
    assert _with_key(tenant_a, raw).get("/api/v1/runway/").status_code == 404


def test_only_owners_manage_keys(tenant_a, owner_a):
    bookkeeper = client_for(tenant_a, make_member(tenant_a, Role.BOOKKEEPER))
    assert _create(bookkeeper).status_code == 403
    assert bookkeeper.get("/api/v1/keys/").status_code == 403
    created = _create(client_for(tenant_a, owner_a)).json()
    assert bookkeeper.delete(f"/api/v1/keys/{created['id']}/").status_code == 403


def test_each_key_has_its_own_throttle_budget(tenant_a, owner_a, settings):
    settings.API_THROTTLE_RATES = {"read": "2/min", "write": "120/min"}
    owner = client_for(tenant_a, owner_a)
    raw = _create(owner).json()["key"]  # a write: the read budget is untouched
    key_client = _with_key(tenant_a, raw)
    assert [key_client.get("/api/v1/runway/").status_code for _ in range(3)] == [200, 200, 429]
    assert owner.get("/api/v1/runway/").status_code == 200


def test_management_command_creates_lists_and_revokes(tenant_a, owner_a):
    out = StringIO()
    call_command("api_key", "create", business=tenant_a.slug, owner=owner_a.email,
                 name="Cron", scope="write", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert _with_key(tenant_a, raw).get("/api/v1/bills/").status_code == 200
    with in_tenant(tenant_a):
        key_id = ApiKey.objects.get(name="Cron").pk
    listing = StringIO()
    call_command("api_key", "list", business=tenant_a.slug, stdout=listing)
    assert "Cron" in listing.getvalue() and "active" in listing.getvalue()
    call_command("api_key", "revoke", business=tenant_a.slug, owner=owner_a.email, id=key_id,
                 stdout=StringIO())
    assert _with_key(tenant_a, raw).get("/api/v1/bills/").status_code == 401
    with pytest.raises(CommandError, match="owner"):
        call_command("api_key", "create", business=tenant_a.slug,
                     owner=make_member(tenant_a, Role.VIEWER).email, name="x", stdout=StringIO())
