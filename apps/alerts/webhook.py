"""Slack-compatible incoming webhooks: the owner's URL is checked before it is saved and again
before every send (SSRF guard), posted with a timeout and no redirects.

Production rules: https only; every address the host resolves to must be public (no private,
loopback, link-local — cloud metadata —, reserved or multicast address). Settings loosen them
for development and tests only: `ALERTS_WEBHOOK_ALLOW_HTTP`, `ALERTS_WEBHOOK_ALLOW_LOOPBACK`.
Residual risk: a host whose DNS answer changes between the check and the request (rebinding);
docs/alerts.md says so.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from urllib3.exceptions import NewConnectionError

from apps.core.errors import ApplicationError

MAX_URL = 500


class WebhookRefused(ApplicationError):
    code = "webhook_refused"


def _address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return bool(getattr(settings, "ALERTS_WEBHOOK_ALLOW_LOOPBACK", False))
    return ip.is_global and not ip.is_multicast


def webhook_url_check(url: str) -> str:
    """The URL, stripped, if it may be posted to now; raises WebhookRefused saying why not."""
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
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise WebhookRefused(f"{parts.hostname} could not be found.")
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not _address_allowed(ip):
            raise WebhookRefused(
                f"{parts.hostname} is a private or local address; alerts go to public "
                "services only.")
    return url


def webhook_host(url: str) -> str:
    return urlsplit(url).hostname or ""


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
    """One POST, checked first, with the configured timeout; never raises."""
    try:
        webhook_url_check(url)
    except WebhookRefused as exc:
        return PostOutcome("failed", exc.message)
    timeout = float(getattr(settings, "ALERTS_WEBHOOK_TIMEOUT", 5.0))
    try:
        resp = requests.post(url, json=payload, timeout=(timeout, timeout),
                             allow_redirects=False)
    except requests.ConnectTimeout:
        return PostOutcome("failed", f"could not connect within {timeout:g} s")
    except requests.Timeout:
        return PostOutcome("unknown", f"no answer within {timeout:g} s")
    except requests.ConnectionError as exc:
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(reason, NewConnectionError):  # refused, unreachable: nothing was sent
            return PostOutcome("failed", "could not connect")
        return PostOutcome("unknown", f"the connection broke: {type(exc).__name__}")
    except requests.RequestException as exc:
        return PostOutcome("unknown", f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= resp.status_code < 300:
        return PostOutcome("sent")
    return PostOutcome("failed", f"HTTP {resp.status_code}: {resp.text[:200]}")
