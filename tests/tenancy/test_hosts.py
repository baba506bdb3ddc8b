"""Bad and unknown hosts end in clear 4xx responses, never a 500."""

import pytest
from django.test import Client


@pytest.mark.parametrize("host", ["nosuch.localhost", "localhost.evil.com", "bad host", "a..b"])
def test_unknown_or_malformed_hosts_are_4xx(db, host):
    response = Client(HTTP_HOST=host).get("/")
    assert response.status_code in (400, 404)


def test_public_host_serves_sign_in(db):
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_business_host_redirects_anonymous_to_its_sign_in(tenant_a):
    response = Client(HTTP_HOST="alpha.localhost").get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
