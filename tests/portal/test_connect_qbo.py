"""Connect QuickBooks from the portal: owner-only, signed state, real OAuth against the sandbox."""

from urllib.parse import urlparse

import pytest
import requests

from apps.accounts.models import Role
from apps.core.models import AuditEvent
from apps.integrations.sync.models import QboConnection
from tests.factories import make_member
from tests.integrations.sync.qbo_company import start, write_company
from tests.utils import client_for


@pytest.fixture
def sb(tmp_path, settings):
    handle = start(write_company(tmp_path / "co"))
    settings.QBO_ENVIRONMENT = handle.discovery_url
    settings.QBO_API_BASE = handle.base_url
    yield handle
    handle.stop()


def test_owner_connects_through_the_sandbox_and_can_disconnect(
    sb, tenant_a, owner_a, django_capture_on_commit_callbacks
):
    web = client_for(tenant_a, owner_a)
    assert b"Connect QuickBooks" in web.get("/connect/qbo/").content
    start_resp = web.post("/connect/qbo/start/")
    assert start_resp.status_code == 302
    authorize = start_resp["Location"]
    assert authorize.startswith(sb.base_url)
    approved = requests.get(authorize, allow_redirects=False, timeout=10)
    callback = urlparse(approved.headers["Location"])
    assert callback.path == "/connect/qbo/callback/"
    assert callback.hostname == "alpha.localhost"
    with django_capture_on_commit_callbacks() as callbacks:
        done = web.get(f"{callback.path}?{callback.query}")
    assert done.status_code == 302
    assert len(callbacks) == 1  # the full sync is enqueued after commit
    conn = QboConnection.objects.get(business=tenant_a)
    assert conn.realm_id == sb.realm and conn.company_name == "Sandbox Agency"
    page = web.get("/connect/qbo/").content.decode()
    assert "Sandbox Agency" in page and "Disconnect" in page
    audit = AuditEvent.objects.get(business=tenant_a, action="qbo.connect")
    assert audit.actor == owner_a

    assert web.post("/connect/qbo/disconnect/").status_code == 302
    conn.refresh_from_db()
    assert conn.status == "disconnected" and conn.refresh_token == "revoked"
    assert AuditEvent.objects.filter(business=tenant_a, action="qbo.disconnect").exists()


def test_forged_state_is_refused(sb, tenant_a, owner_a):
    web = client_for(tenant_a, owner_a)
    resp = web.get("/connect/qbo/callback/?code=abc&realmId=1&state=forged", follow=True)
    assert "not valid" in resp.content.decode()
    assert not QboConnection.objects.filter(business=tenant_a).exists()


def test_only_the_owner_may_connect(sb, tenant_a):
    bookkeeper = make_member(tenant_a, Role.BOOKKEEPER)
    web = client_for(tenant_a, bookkeeper)
    assert web.get("/connect/qbo/").status_code == 403
    assert web.post("/connect/qbo/start/").status_code == 403


def test_production_style_single_public_callback_forwards_to_the_business(
    sb, tenant_a, owner_a, settings, django_capture_on_commit_callbacks
):
    settings.QBO_REDIRECT_URI = "http://localhost:8000/connect/qbo/callback/"
    web = client_for(tenant_a, owner_a)
    authorize = web.post("/connect/qbo/start/")["Location"]
    assert "redirect_uri=http%3A%2F%2Flocalhost%3A8000%2Fconnect%2Fqbo%2Fcallback%2F" in authorize
    approved = urlparse(
        requests.get(authorize, allow_redirects=False, timeout=10).headers["Location"]
    )
    assert approved.hostname == "localhost"  # Intuit comes back to the one registered URI
    forwarded = client_for(None).get(f"{approved.path}?{approved.query}")
    assert forwarded.status_code == 302
    target = urlparse(forwarded["Location"])
    assert target.hostname == "alpha.localhost" and target.path == "/connect/qbo/callback/"
    with django_capture_on_commit_callbacks():
        assert web.get(f"{target.path}?{target.query}").status_code == 302
    assert QboConnection.objects.get(business=tenant_a).realm_id == sb.realm
    bad = client_for(None).get("/connect/qbo/callback/?code=x&state=forged")
    assert bad.status_code == 400
