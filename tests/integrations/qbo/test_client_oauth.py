"""OAuth with the real intuit-oauth AuthClient against the QBO sandbox's OAuth endpoints."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from apps.integrations.qbo.client import QboClient
from apps.integrations.qbo.errors import AuthenticationError
from apps.integrations.qbo.oauth import OAuthError, OAuthTokenSource, QboOAuth, TokenSet
from apps.integrations.retry import RetryPolicy
from apps.sandboxes.qbo import start_sandbox

REDIRECT = "http://localhost:8000/qbo/callback"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    directory = tmp_path_factory.mktemp("qbo-oauth")
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    (directory / "CompanyInfo.json").write_text(json.dumps({"CompanyInfo": [
        {"Id": "1", "SyncToken": "0", "CompanyName": "OAuth Co",
         "MetaData": {"CreateTime": stamp, "LastUpdatedTime": stamp}}]}))
    sb = start_sandbox(directory, port=0, persist=False)
    yield sb
    sb.stop()


@pytest.fixture
def oauth(sandbox):
    requests.post(f"{sandbox.base_url}/_sandbox/tokens",
                  json={"action": "config", "grace": 120}, timeout=5)
    return QboOAuth("client-1", "secret-1", REDIRECT, sandbox.discovery_url)


def authorize(oauth, state="csrf-state"):
    url = oauth.authorization_url(state)
    resp = requests.get(url, allow_redirects=False, timeout=5)
    assert resp.status_code == 302
    location = urlparse(resp.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return parse_qs(location.query)


def test_authorization_url_carries_scope_state_and_client(oauth):
    query = parse_qs(urlparse(oauth.authorization_url("abc")).query)
    assert query["scope"] == ["com.intuit.quickbooks.accounting"]
    assert query["state"] == ["abc"] and query["client_id"] == ["client-1"]
    assert query["redirect_uri"] == [REDIRECT] and query["response_type"] == ["code"]


def test_full_flow_exchange_refresh_rotation_and_api_use(oauth, sandbox):
    query = authorize(oauth)
    assert query["state"] == ["csrf-state"] and query["realmId"] == [sandbox.realm]
    tokens = oauth.exchange_code(query["code"][0], query["realmId"][0])
    assert isinstance(tokens, TokenSet) and tokens.realm_id == sandbox.realm
    now = datetime.now(UTC)
    assert timedelta(minutes=59) < tokens.access_expires_at - now <= timedelta(hours=1)
    assert tokens.refresh_expires_at - now > timedelta(days=99)
    assert tokens.refresh_hard_expires_at - now > timedelta(days=4 * 365)
    assert tokens.reconnect_by == tokens.refresh_expires_at

    client = QboClient(sandbox.base_url, sandbox.realm, OAuthTokenSource(oauth, tokens))
    assert client.company_info()["CompanyName"] == "OAuth Co"

    newer = oauth.refresh(tokens.refresh_token, tokens.realm_id)
    assert newer.refresh_token != tokens.refresh_token  # rotated: keep the newest
    assert newer.access_token != tokens.access_token
    newest = oauth.refresh(newer.refresh_token)
    assert newest.refresh_token not in (tokens.refresh_token, newer.refresh_token)


def test_code_is_single_use(oauth):
    code = authorize(oauth)["code"][0]
    oauth.exchange_code(code, "x")
    with pytest.raises(OAuthError) as exc:
        oauth.exchange_code(code, "x")
    assert exc.value.status == 400 and exc.value.needs_reconnect


def test_superseded_refresh_token_dies_after_grace(oauth, sandbox):
    requests.post(f"{sandbox.base_url}/_sandbox/tokens",
                  json={"action": "config", "grace": 0}, timeout=5)
    tokens = oauth.exchange_code(authorize(oauth)["code"][0], sandbox.realm)
    oauth.refresh(tokens.refresh_token)
    with pytest.raises(OAuthError) as exc:
        oauth.refresh(tokens.refresh_token)
    assert exc.value.code == "invalid_grant" and exc.value.needs_reconnect


def test_revoke_ends_api_access(oauth, sandbox):
    tokens = oauth.exchange_code(authorize(oauth)["code"][0], sandbox.realm)
    saved = []
    source = OAuthTokenSource(oauth, tokens, on_refresh=saved.append)
    client = QboClient(sandbox.base_url, sandbox.realm, source,
                       retry=RetryPolicy(max_attempts=1))
    client.company_info()
    assert oauth.revoke(tokens.refresh_token) is True
    # 401 → one refresh attempt → the grant is gone: the owner must reconnect
    with pytest.raises(OAuthError) as exc:
        client.company_info()
    assert exc.value.needs_reconnect and saved == []


def test_token_source_refreshes_ahead_of_expiry_and_persists(oauth, sandbox):
    tokens = oauth.exchange_code(authorize(oauth)["code"][0], sandbox.realm)
    almost = TokenSet(tokens.access_token, tokens.refresh_token,
                      datetime.now(UTC) + timedelta(minutes=1), tokens.refresh_expires_at,
                      tokens.realm_id)
    saved = []
    source = OAuthTokenSource(oauth, almost, on_refresh=saved.append)
    client = QboClient(sandbox.base_url, sandbox.realm, source)
    client.company_info()
    assert len(saved) == 1 and saved[0].refresh_token != tokens.refresh_token
    assert client.stats.refreshes == 0  # refreshed before sending, no 401 needed


def test_client_auth_error_when_token_unknown(sandbox):
    class Fixed:
        def access_token(self):
            return "bogus"

        def refresh(self):
            raise AuthenticationError("cannot refresh", status=401)

    with pytest.raises(AuthenticationError):
        QboClient(sandbox.base_url, sandbox.realm, Fixed()).company_info()
