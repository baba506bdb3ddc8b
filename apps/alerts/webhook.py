"""Slack-compatible incoming webhooks: the owner's URL is checked before it is saved and again
before every send (SSRF guard), posted with a timeout and no redirects.

Production rules: https only; every address the host resolves to must be public (no private,
loopback, link-local — cloud metadata —, reserved or multicast address), and so must the IPv4
address inside an IPv4-mapped, 6to4, NAT64 or IPv4-compatible IPv6 address. Settings loosen them
for development and tests only: `ALERTS_WEBHOOK_ALLOW_HTTP`, `ALERTS_WEBHOOK_ALLOW_LOOPBACK`.
The request goes to the very address that was checked (no second DNS lookup: no rebinding),
with the host name kept for the Host header and TLS.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import certifi
import urllib3
from django.conf import settings
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from apps.core.errors import ApplicationError

MAX_URL = 500


class WebhookRefused(ApplicationError):
    code = "webhook_refused"


# IPv6 forms that carry an IPv4 address in their last 32 bits. `is_global` judges the IPv6
# prefix only (64:ff9b::/96 and ::/96 pass), so the IPv4 inside must be judged as well.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052, the well-known NAT64 prefix
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291, deprecated (:: and ::1 aside)
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a network's own translator


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches: IPv4-mapped, 6to4, NAT64 or IPv4-compatible."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and not (ip.is_loopback or ip.is_unspecified)):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:  # its addresses are another network's to say: never public
            return False
        inner = _embedded_ipv4(ip)
        if inner is not None:
            ip = inner  # where the packets end up is what must be public
    if ip.is_loopback:
        return bool(getattr(settings, "ALERTS_WEBHOOK_ALLOW_LOOPBACK", False))
    return ip.is_global and not ip.is_multicast


def _checked(url: str) -> tuple[str, SplitResult, list[str]]:
    """(url, its parts, the addresses to connect to) if it may be posted to now; raises
    WebhookRefused saying why not."""
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise WebhookRefused("That webhook address is too long.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise WebhookRefused("That is not a web address.")
    allowed = {"https", "http"} if getattr(settings, "ALERTS_WEBHOOK_ALLOW_HTTP", False) else {
        "https"}
    if parts.scheme not in allowed:
        raise WebhookRefused("The webhook address must start with https://.")
    if not parts.hostname or parts.username or parts.password:
        raise WebhookRefused("The webhook address needs a host name (and no user name).")
    default_port = 443 if parts.scheme == "https" else 80
    try:
        infos = socket.getaddrinfo(parts.hostname, port or default_port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise WebhookRefused(f"{parts.hostname} could not be found.")
    addresses = list(dict.fromkeys(info[4][0].split("%", 1)[0] for info in infos))
    for address in addresses:
        if not _address_allowed(ipaddress.ip_address(address)):
            raise WebhookRefused(
                f"{parts.hostname} is a private or local address; alerts go to public "
                "services only.")
    return url, parts, addresses


def webhook_url_check(url: str) -> str:
    """The URL, stripped, if it may be posted to now; raises WebhookRefused saying why not."""
    return _checked(url)[0]


def webhook_host(url: str) -> str:
    return urlsplit(url).hostname or ""


def webhook_masked(url: str) -> str:
    """What the page shows of a saved webhook: its host and last 4 characters — the URL is the
    credential, so the page never prints (or prefills) it whole."""
    return f"{webhook_host(url)} …{url[-4:]}" if url else ""


def webhook_payload(title: str, text: str, url: str = "", footer: str = "") -> dict[str, Any]:
    """Slack's incoming-webhook JSON: `text` (the notification and fallback) and `blocks`."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}},
    ]
    if url:
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "text": {"type": "plain_text", "text": "Open in Oodaloo"},
            "url": url}]})
    if footer:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return {"text": f"{title}: {text}"[:3000], "blocks": blocks}


@dataclass(frozen=True)
class PostOutcome:
    state: str  # sent | failed (nothing arrived) | unknown (may have arrived)
    error: str = ""


def webhook_post(url: str, payload: dict[str, Any]) -> PostOutcome:
    """One POST with the configured timeout, never redirected, never repeated once anything may
    have arrived (the host's next checked address is tried only after a refused connection);
    never raises. The connection goes to an address that was checked (not a second DNS
    answer), with the host name kept for the Host header and TLS (SNI, certificate check)."""
    try:
        url, parts, addresses = _checked(url)
    except WebhookRefused as exc:
        return PostOutcome("failed", exc.message)
    outcome = PostOutcome("failed", "could not connect")
    for address in addresses:  # the next one only when nothing was sent to this one
        outcome = _post_to(address, parts, payload)
        if outcome.error not in ("could not connect", "could not connect in time"):
            break
    return outcome


def _post_to(address: str, parts: SplitResult, payload: dict[str, Any]) -> PostOutcome:
    seconds = float(getattr(settings, "ALERTS_WEBHOOK_TIMEOUT", 5.0))
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(), server_hostname=parts.hostname,
            assert_hostname=parts.hostname)
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        with pool:
            resp = pool.urlopen("POST", path, body=json.dumps(payload).encode(),
                                headers={"Host": host_header,
                                         "Content-Type": "application/json",
                                         "User-Agent": "Oodaloo-Alerts/1"},
                                redirect=False, retries=False, preload_content=True)
    except ReadTimeoutError:
        return PostOutcome("unknown", f"no answer within {seconds:g} s")
    except NewConnectionError:  # refused, unreachable: nothing was sent
        return PostOutcome("failed", "could not connect")
    except ConnectTimeoutError:
        return PostOutcome("failed", "could not connect in time")
    except SSLError as exc:  # the handshake failed: nothing was sent
        return PostOutcome("failed", f"TLS: {exc}"[:500])
    except (ProtocolError, HTTPError, OSError) as exc:
        return PostOutcome("unknown", f"the connection broke: {type(exc).__name__}")
    if 200 <= resp.status < 300:
        return PostOutcome("sent")
    text = resp.data[:200].decode("utf-8", "replace")
    return PostOutcome("failed", f"HTTP {resp.status}: {text}")
