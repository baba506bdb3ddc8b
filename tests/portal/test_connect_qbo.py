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
    page = web.get("/connect/qbo/").content.decode()
    assert 'aria-label="Connect to QuickBooks"' in page and "#2CA01C" in page  # Intuit's button
    start_resp = web.post("/connect/qbo/start/")
    assert start_resp.status_code == 302
    authorize = start_resp["Location"]
    assert authorize.startswith(sb.base_url)
    approved = requests.get(authorize, allow_redirects=False, timeout=10)
    public = urlparse(approved.headers["Location"])
    assert public.hostname == "localhost"  # the one app-level redirect URI, on the public host
    forwarded = client_for(None).get(f"{public.path}?{public.query}")
    callback = urlparse(forwarded["Location"])
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

    gone = web.post("/connect/qbo/disconnect/")
    assert gone["Location"] == "/connect/qbo/disconnected/"
    conn.refresh_from_db()
    assert conn.status == "disconnected" and conn.refresh_token == "revoked"
    assert AuditEvent.objects.filter(business=tenant_a, action="qbo.disconnect").exists()
    landing = web.get("/connect/qbo/disconnected/").content.decode()
    assert "What disconnecting means" in landing
    assert 'data-testid="connect-to-quickbooks"' in landing


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


def _connect(sb, web, tenant, capture):
    authorize = web.post("/connect/qbo/start/")["Location"]
    public = urlparse(requests.get(authorize, allow_redirects=False, timeout=10)
                      .headers["Location"])
    target = urlparse(client_for(None).get(f"{public.path}?{public.query}")["Location"])
    with capture():
        web.get(f"{target.path}?{target.query}")
    return QboConnection.objects.get(business=tenant)


def test_launch_url_signs_in_then_opens_the_business_ready_to_connect(tenant_a, owner_a):
    anonymous = client_for(None).get("/connect/qbo/launch/").content.decode()
    assert "/login/?next=%2Fconnect%2Fqbo%2Flaunch%2F" in anonymous
    assert "/signup/?next=%2Fconnect%2Fqbo%2Flaunch%2F" in anonymous
    signed_in = client_for(None, owner_a).get("/connect/qbo/launch/")
    target = urlparse(signed_in["Location"])
    assert target.hostname == "alpha.localhost" and target.path == "/auth/handoff/"
    assert "next=/connect/qbo/?from=intuit" in target.query
    page = client_for(tenant_a, owner_a).get("/connect/qbo/?from=intuit").content.decode()
    assert 'data-testid="from-intuit"' in page and 'data-testid="connect-to-quickbooks"' in page


def test_disconnect_url_revokes_only_when_intuit_confirms(
    sb, tenant_a, owner_a, django_capture_on_commit_callbacks
):
    web = client_for(tenant_a, owner_a)
    conn = _connect(sb, web, tenant_a, django_capture_on_commit_callbacks)
    public = client_for(None, owner_a)
    # The grant is alive: a stray visit to the Disconnect URL disconnects nothing.
    alive = public.get(f"/connect/qbo/disconnect/?realmId={conn.realm_id}")
    assert "next=/connect/qbo/&" in alive["Location"] or alive["Location"].endswith(
        "next=/connect/qbo/")
    conn.refresh_from_db()
    assert conn.status == QboConnection.Status.CONNECTED
    # The owner disconnects inside QuickBooks: Intuit kills the grant, then sends them to us.
    requests.post(f"{sb.base_url}/oauth2/v1/tokens/revoke", timeout=10,
                  auth=("oodaloo-dev-client", "oodaloo-dev-secret"),
                  json={"token": conn.refresh_token})
    gone = public.get(f"/connect/qbo/disconnect/?realmId={conn.realm_id}")
    assert "next=/connect/qbo/disconnected/" in gone["Location"]
    conn.refresh_from_db()
    assert conn.status == QboConnection.Status.DISCONNECTED and conn.refresh_token == "revoked"
    assert "/login/" in client_for(None).get("/connect/qbo/disconnect/?realmId=1")["Location"]


def test_sign_in_from_the_launch_url_comes_back_to_it(tenant_a, owner_a):
    web = client_for(None)
    form = web.get("/login/?next=/connect/qbo/launch/").content.decode()
    assert 'name="next" value="/connect/qbo/launch/"' in form
    signed = web.post("/login/", {"email": owner_a.email, "password": "correct-horse-battery",
                                  "next": "/connect/qbo/launch/"})
    assert signed["Location"] == "/connect/qbo/launch/"
    elsewhere = client_for(None).post("/login/", {"email": owner_a.email,
                                                  "password": "correct-horse-battery",
                                                  "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/businesses/"  # never off this host
