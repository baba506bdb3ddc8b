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
