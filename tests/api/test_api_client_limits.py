"""Limits on anonymous callers (token exchange, refresh) follow the real client address, not a
header the client writes; the sign-in lockout answers the API in the API's error shape."""

import pytest

from apps.accounts.models import Role
from tests.factories import make_member
from tests.utils import client_for

pytestmark = pytest.mark.django_db


def _refresh(client, **meta):
    return client.post("/api/v1/auth/refresh/", {"refresh": "x"},
                       content_type="application/json", **meta).status_code


def test_a_forged_x_forwarded_for_gets_no_fresh_budget(tenant_a, settings):
    settings.API_THROTTLE_RATES = {"read": "600/min", "write": "2/min"}
    client = client_for(tenant_a)
    codes = [_refresh(client, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
             for i in range(4)]
    assert codes[2:] == [429, 429], codes
    # Another real address has its own budget.
    assert _refresh(client, REMOTE_ADDR="203.0.113.10") != 429


def test_behind_a_trusted_proxy_the_client_is_the_hop_it_saw(tenant_a, settings):
    settings.API_THROTTLE_RATES = {"read": "600/min", "write": "2/min"}
    settings.TRUSTED_PROXY_COUNT = 1
    client = client_for(tenant_a)
    # The proxy appends the address it saw; whatever the client put before that is its own.
    codes = [_refresh(client, REMOTE_ADDR="10.9.9.9",
                      HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 198.51.100.7") for i in range(4)]
    assert codes[2:] == [429, 429], codes
    assert _refresh(client, REMOTE_ADDR="10.9.9.9",
                    HTTP_X_FORWARDED_FOR="198.51.100.8") != 429


def test_the_lockout_on_the_token_exchange_is_a_json_error(tenant_a, settings):
    settings.API_THROTTLE_RATES = {"read": "600/min", "write": "600/min"}
    user = make_member(tenant_a, Role.OWNER)
    client = client_for(tenant_a)

    def token(password):
        return client.post("/api/v1/auth/token/", {"email": user.email, "password": password},
                           content_type="application/json")

    codes = [token(f"wrong-{i}").status_code for i in range(settings.AXES_FAILURE_LIMIT)]
    assert codes[0] == 403
    locked = token("wrong-again")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    error = locked.json()["error"]
    assert error["code"] == "locked_out" and "failed sign-in" in error["message"]
    assert error["retry_after"] > 0 and int(locked["Retry-After"]) == error["retry_after"]
