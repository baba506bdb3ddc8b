"""OAuth2 against the sandbox with intuit-oauth's own AuthClient."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError

from apps.sandboxes.qbo import start_sandbox
from apps.sandboxes.qbo.fixtures import small_company

REDIRECT = "http://localhost:8000/qbo/callback"


@pytest.fixture
def sandbox(tmp_path):
    small_company(tmp_path / "co", bills=1, invoices=1)
    handle = start_sandbox(tmp_path / "co", persist=False)
    yield handle
    handle.stop()


def connect(sandbox):
    auth = AuthClient("client-abc", "secret-xyz", REDIRECT, environment=sandbox.discovery_url)
    url = auth.get_authorization_url([Scopes.ACCOUNTING])
    redirect = requests.get(url, allow_redirects=False)
    assert redirect.status_code == 302
    callback = parse_qs(urlsplit(redirect.headers["Location"]).query)
    assert callback["state"] == [auth.state_token]
    assert callback["realmId"] == [sandbox.realm]
    auth.get_bearer_token(callback["code"][0], realm_id=callback["realmId"][0])
    return auth, callback["code"][0]


def advance(sandbox, seconds):
    """Move the sandbox's clock forward (no sleeping)."""
    reply = requests.post(f"{sandbox.base_url}/_sandbox/clock", json={"advance": seconds})
    assert reply.status_code == 200


def api_status(sandbox, token):
    return requests.get(
        f"{sandbox.api_base}/companyinfo/{sandbox.realm}",
        headers={"Authorization": f"Bearer {token}"},
    ).status_code


def test_code_exchange_and_api_access(sandbox):
    auth, code = connect(sandbox)
    assert auth.expires_in == 3600
    assert auth.x_refresh_token_expires_in > 90 * 86400
    assert api_status(sandbox, auth.access_token) == 200
    with pytest.raises(AuthClientError) as info:  # codes are single use
        auth.get_bearer_token(code)
    assert info.value.status_code == 400


def test_refresh_rotates_and_old_token_dies_after_grace(sandbox):
    auth, _ = connect(sandbox)
    requests.post(f"{sandbox.base_url}/_sandbox/tokens", json={"action": "config", "grace": 30})
    first_refresh = auth.refresh_token
    auth.include_refresh_token_hard_expires_in = True
    auth.refresh()
    assert auth.refresh_token != first_refresh
    assert 0 < auth.x_refresh_token_hard_expires_in <= 5 * 366 * 86400
    assert api_status(sandbox, auth.access_token) == 200
    auth.refresh(refresh_token=first_refresh)  # still inside the grace period
    advance(sandbox, 31)  # past the grace, on the sandbox's clock
    with pytest.raises(AuthClientError) as info:
        auth.refresh(refresh_token=first_refresh)
    assert info.value.status_code == 400 and b"invalid_grant" in info.value.content
    auth.refresh()  # the newest one works


def test_expired_access_token_gets_401_fault(sandbox):
    auth, _ = connect(sandbox)
    requests.post(f"{sandbox.base_url}/_sandbox/tokens", json={"action": "expire_access"})
    response = requests.get(
        f"{sandbox.api_base}/bill/100", headers={"Authorization": f"Bearer {auth.access_token}"}
    )
    assert response.status_code == 401
    fault = response.json()["Fault"]
    assert fault["type"] == "AUTHENTICATION" and fault["Error"][0]["code"] == "3200"
    assert api_status(sandbox, "not-a-token") == 401
    assert requests.get(f"{sandbox.api_base}/bill/100").status_code == 401
    auth.refresh()
    assert api_status(sandbox, auth.access_token) == 200


def test_short_access_ttl_and_hard_expiry(sandbox):
    requests.post(
        f"{sandbox.base_url}/_sandbox/tokens",
        json={"action": "config", "access_ttl": 60, "hard_ttl": 120},
    )
    auth, _ = connect(sandbox)
    assert auth.expires_in == 60 and auth.x_refresh_token_expires_in <= 120
    advance(sandbox, 50)
    assert api_status(sandbox, auth.access_token) == 200
    advance(sandbox, 11)
    assert api_status(sandbox, auth.access_token) == 401
    auth.refresh()
    advance(sandbox, 60)  # 121 s after the grant: past its hard expiry
    with pytest.raises(AuthClientError):
        auth.refresh()


def test_revoke_and_bad_client_auth(sandbox):
    auth, _ = connect(sandbox)
    assert auth.revoke(token=auth.refresh_token) is True
    assert api_status(sandbox, auth.access_token) == 401
    with pytest.raises(AuthClientError):
        auth.refresh()
    bad = requests.post(
        f"{sandbox.base_url}/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
