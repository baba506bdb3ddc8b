"""The client's address, trusting `X-Forwarded-For` only as far as configured proxies vouch.

Behind a load balancer every request arrives from the proxy's address; keying lockouts on it
would lock everybody out at once (or nobody). Reading the header blindly lets any client forge
its address. So: start from the connecting peer (`REMOTE_ADDR`); while that hop is a trusted
proxy (`TRUSTED_PROXY_CIDRS`, or the first `TRUSTED_PROXY_COUNT` hops), step one entry left
in `X-Forwarded-For`. The first untrusted hop is the client."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def ip_in(address: str | None, cidrs) -> bool:
    """Is `address` inside any of `cidrs` (a list of CIDR strings)?"""
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in net for net in _networks(tuple(cidrs)))


def client_ip(request) -> str | None:
    peer = _valid(request.META.get("REMOTE_ADDR", "") or "")
    if peer is None:
        return None
    trusted = tuple(getattr(settings, "TRUSTED_PROXY_CIDRS", ()) or ())
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    current = peer
    stepped = 0
    while hops and (stepped < count or ip_in(current, trusted)):
        candidate = _valid(hops.pop())
        if candidate is None:
            break  # a garbled entry: stop at the last hop we could read
        current = candidate
        stepped += 1
    return current

