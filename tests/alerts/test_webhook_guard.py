"""The webhook URL is checked before it is saved and before every post (SSRF guard): under the
production rules only https to public addresses; tests loosen loopback and http by setting."""

import pytest
from django.test import override_settings

from apps.alerts.webhook import WebhookRefused, webhook_post, webhook_url_check
from tests.alerts.receiver import HookReceiver

PRODUCTION = {"ALERTS_WEBHOOK_ALLOW_HTTP": False, "ALERTS_WEBHOOK_ALLOW_LOOPBACK": False}


@override_settings(**PRODUCTION)
@pytest.mark.parametrize("url,why", [
    ("http://203.0.113.9/hook", "https"),  # plain http
    ("https://127.0.0.1/hook", "private or local"),
    ("https://localhost:8443/hook", "private or local"),
    ("https://[::1]/hook", "private or local"),
    ("https://10.0.0.7/hook", "private or local"),
    ("https://192.168.1.20/hook", "private or local"),
    ("https://172.16.4.4/hook", "private or local"),
    ("https://169.254.169.254/latest/meta-data/", "private or local"),  # cloud metadata
    ("https://[::ffff:10.0.0.7]/hook", "private or local"),  # IPv4-mapped
    ("https://[fd00::1]/hook", "private or local"),
    ("https://0.0.0.0/hook", "private or local"),
    ("https://224.0.0.1/hook", "private or local"),
    ("https://user:pw@8.8.8.8/hook", "no user name"),
    ("ftp://8.8.8.8/hook", "https"),
    ("https:///hook", "host name"),
    ("https://no-such-host.invalid/hook", "could not be found"),
])
def test_production_rules_refuse(url, why):
    with pytest.raises(WebhookRefused, match=why):
        webhook_url_check(url)


@override_settings(**PRODUCTION)
@pytest.mark.parametrize("address,inside", [
    ("64:ff9b::a00:1", "10.0.0.1"),  # NAT64 (RFC 6052): the translator connects to 10.0.0.1
    ("64:ff9b::7f00:1", "127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "169.254.169.254"),  # cloud metadata through NAT64
    ("2002:c0a8:101::", "192.168.1.1"),  # 6to4
    ("2002:7f00:1::1", "127.0.0.1"),
    ("2002:a9fe:a9fe::1", "169.254.169.254"),
    ("::ffff:127.0.0.1", "127.0.0.1"),  # IPv4-mapped
    ("::ffff:192.168.1.1", "192.168.1.1"),
    ("::a00:1", "10.0.0.1"),  # IPv4-compatible (deprecated, still routable by some stacks)
    ("64:ff9b:1::a00:1", "a local NAT64 (RFC 8215)"),
])
def test_an_ipv6_address_carrying_a_private_ipv4_one_is_refused(address, inside):
    with pytest.raises(WebhookRefused, match="private or local"):
        webhook_url_check(f"https://[{address}]/hook")


@override_settings(**PRODUCTION)
@pytest.mark.parametrize("address", [
    "64:ff9b::808:808",  # 8.8.8.8 through NAT64
    "2002:808:808::1",  # 8.8.8.8's 6to4 network
    "::ffff:8.8.8.8",
    "2606:4700:4700::1111",  # plain public IPv6
])
def test_an_ipv6_address_reaching_a_public_one_is_accepted(address):
    assert webhook_url_check(f"https://[{address}]/hook") == f"https://[{address}]/hook"


@override_settings(**PRODUCTION)
def test_production_rules_accept_a_public_https_address():
    assert webhook_url_check(" https://8.8.8.8/services/T0/B0/x ") == \
        "https://8.8.8.8/services/T0/B0/x"


def test_the_test_settings_allow_loopback_only_not_private_networks():
    assert webhook_url_check("http://127.0.0.1:9/hook")
    with pytest.raises(WebhookRefused):
        webhook_url_check("http://10.0.0.7/hook")


@override_settings(**PRODUCTION)
def test_a_saved_url_is_checked_again_before_each_post(receiver):
    """A URL saved under looser rules (or a host whose address changed) is not posted to."""
    outcome = webhook_post(receiver.url, {"text": "x"})
    assert outcome.state == "failed" and "https" in outcome.error
    assert receiver.received == []


def test_the_post_goes_to_the_checked_address_with_the_host_name_kept(receiver):
    """`localhost` is resolved once, checked, and connected to by address (IPv6 first on some
    machines: the next checked address is tried when one refuses); Host names the URL's host."""
    port = receiver.server.server_address[1]
    outcome = webhook_post(f"http://localhost:{port}/services/x", {"text": "pinned"})
    assert outcome.state == "sent"
    [(headers, body)] = receiver.received
    assert headers["Host"] == f"localhost:{port}" and b'"pinned"' in body


@override_settings(ALERTS_WEBHOOK_ALLOW_HTTP=False, ALERTS_WEBHOOK_ALLOW_LOOPBACK=True)
def test_https_checks_the_certificate_of_the_host_name(tmp_path):
    """Over https the certificate must be valid for the URL's host name from a public root: a
    self-signed one is refused during the handshake, before any of the alert is sent."""
    tls = HookReceiver(tls_dir=tmp_path)
    try:
        outcome = webhook_post(tls.url, {"text": "secret"})
    finally:
        tls.stop()
    assert outcome.state == "failed" and "CERTIFICATE_VERIFY_FAILED" in outcome.error
    assert tls.received == []
