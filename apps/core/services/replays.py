"""Replayed webhooks are applied once: each delivery's identity (an Intuit event id, a Plaid
JWT's `iat` + body hash, or a body's hash) is claimed in Redis with `SET NX` and a lifetime
longer than the provider's own replay window. A second claim of the same identity is a replay.

A claim that could not be acted on (the broker was down) is released, so the provider's honest
retry is not mistaken for a replay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import cache

PREFIX = "webhook-seen"


def _key(kind: str, identity: str) -> str:
    digest = hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest()
    return f"{PREFIX}:{kind}:{digest}"


def delivery_claim(kind: str, identity: str, *, ttl_seconds: int) -> bool:
    """True the first time `identity` is seen within `ttl_seconds` (then it is remembered);
    False for a replay."""
    return bool(cache.add(_key(kind, identity), 1, timeout=ttl_seconds))


def delivery_release(kind: str, identities: Iterable[str]) -> None:
    cache.delete_many([_key(kind, identity) for identity in identities])
