"""The client address trusts only configured proxies; /metrics is allow-listed or staff-only."""

import pytest
from django.test import RequestFactory

from apps.core.client_ip import client_ip
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.utils import client_for


def _ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_CIDRS, settings.TRUSTED_PROXY_COUNT = [], 0
    assert _ip("203.0.113.9", "1.2.3.4") == "203.0.113.9"


@pytest.mark.parametrize(("forwarded", "expected"), [
    ("198.51.100.7", "198.51.100.7"),                 # one proxy in front
    ("6.6.6.6, 198.51.100.7", "198.51.100.7"),        # a forged left entry is not believed
    ("198.51.100.7, 10.0.0.2", "198.51.100.7"),       # two trusted hops
    ("not-an-ip", "10.0.0.1"),                        # garbage: stop at the proxy
    ("", "10.0.0.1"),
])
def test_trusted_cidrs_are_walked_from_the_right(settings, forwarded, expected):
    settings.TRUSTED_PROXY_CIDRS = ["10.0.0.0/8"]
    assert _ip("10.0.0.1", forwarded) == expected


def test_an_untrusted_peer_cannot_claim_an_address(settings):
    settings.TRUSTED_PROXY_CIDRS = ["10.0.0.0/8"]
    assert _ip("203.0.113.9", "10.0.0.5") == "203.0.113.9"


def test_a_proxy_count_trusts_that_many_hops(settings):
    settings.TRUSTED_PROXY_CIDRS, settings.TRUSTED_PROXY_COUNT = [], 1
    assert _ip("172.16.0.1", "6.6.6.6, 198.51.100.7") == "198.51.100.7"


def test_lockout_counts_the_real_client_behind_the_proxy(db, settings, owner_a):
    settings.TRUSTED_PROXY_CIDRS = ["10.0.0.0/8"]
    for i in range(5):
        client_for(None).post("/", {"email": f"nobody{i}@x.test", "password": "wrong"},
                              REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    blocked = client_for(None).post("/", {"email": owner_a.email, "password": "x"},
                                    REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert blocked.status_code == 429
    right = {"email": owner_a.email, "password": "correct-horse-battery"}
    other = client_for(None).post("/", right, REMOTE_ADDR="10.0.0.1",
                                  HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 302  # another client behind the same proxy is not locked out


def test_metrics_refuse_strangers_and_plain_users(db, settings, owner_a):
    settings.METRICS_ALLOWED_CIDRS = ["192.0.2.0/24"]
    assert client_for(None).get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert client_for(None, owner_a).get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    allowed = client_for(None).get("/metrics", REMOTE_ADDR="192.0.2.10")
    assert allowed.status_code == 200 and b"django_http_requests" in allowed.content


def test_metrics_for_staff_only_after_two_step(db, settings):
    settings.METRICS_ALLOWED_CIDRS = []
    staff = UserFactory(email="ops@oodaloo.test", password="a-long-password-1", superuser=True)
    client = client_for(None, staff)
    assert client.get("/metrics").status_code == 403  # password alone is not enough
    device = TOTPDeviceFactory(user=staff)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert client.get("/metrics").status_code == 200
