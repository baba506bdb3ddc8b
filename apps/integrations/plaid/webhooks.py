"""Verifying Plaid webhooks (plaid.com/docs/api/webhooks/webhook-verification/).

The `Plaid-Verification` header is an ES256 JWT whose claims carry `iat` and
`request_body_sha256`, the hex SHA-256 of the raw body bytes (never re-serialize the JSON).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import jwt
from jwt.algorithms import ECAlgorithm

MAX_AGE_SECONDS = 5 * 60
# Tolerated clock skew for an iat slightly in the future.
FUTURE_SKEW_SECONDS = 60

KeyFetcher = Callable[[str], "dict[str, Any] | None"]


# A fetched key is trusted this long, then fetched again (Plaid may have expired it since: its
# `expired_at` is re-read). An unknown kid is remembered as unknown for MISS_TTL, so a flood of
# forged JWTs with made-up kids costs Plaid one request per kid per minute, not one per request.
KEY_TTL_SECONDS = 60 * 60
MISS_TTL_SECONDS = 60


class CachingKeyFetcher:
    """Caches JWKs by kid, each for KEY_TTL; misses too, for MISS_TTL. Fetches (e.g.
    PlaidClient.webhook_verification_key) when an entry is missing or stale."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]], *,
                 clock: Callable[[], float] = time.monotonic,
                 key_ttl: float = KEY_TTL_SECONDS, miss_ttl: float = MISS_TTL_SECONDS) -> None:
        self._fetch = fetch
        self._clock = clock
        self._key_ttl, self._miss_ttl = key_ttl, miss_ttl
        self._keys: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def __call__(self, kid: str) -> dict[str, Any] | None:
        now = self._clock()
        with self._lock:
            cached = self._keys.get(kid)
        if cached is not None and cached[0] > now:
            return cached[1]
        self.fetches += 1
        try:
            key = self._fetch(kid)
        except Exception:  # unknown kid or Plaid unreachable: cannot verify -> reject
            key = None
        # An expired key is kept for the full TTL too: it stays refused without asking again.
        ttl = self._key_ttl if key is not None else self._miss_ttl
        with self._lock:
            if len(self._keys) > 1000:  # made-up kids must not grow the cache without bound
                self._keys = {k: v for k, v in self._keys.items() if v[0] > now}
            self._keys[kid] = (now + ttl, key)
        return key


def replay_identity(jwt_header: str) -> str:
    """What makes one verified delivery unique: its JWT (iat + body hash, signed)."""
    return hashlib.sha256(jwt_header.strip().encode("ascii", "replace")).hexdigest()


def _timestamp(now: float | dt.datetime | None) -> float:
    if now is None:
        return dt.datetime.now(dt.UTC).timestamp()
    if isinstance(now, dt.datetime):
        return now.timestamp()
    return float(now)


def verify_webhook(
    body: bytes,
    jwt_header: str | None,
    key_fetcher: KeyFetcher,
    now: float | dt.datetime | None = None,
) -> bool:
    """True only if the JWT is ES256, signed by a current Plaid key, at most 5 minutes old,
    and its body hash equals SHA-256 of exactly these bytes."""
    if not jwt_header:
        return False
    try:
        header = jwt.get_unverified_header(jwt_header)
    except jwt.PyJWTError:
        return False
    if header.get("alg") != "ES256" or not isinstance(header.get("kid"), str):
        return False
    jwk = key_fetcher(header["kid"])
    if not jwk or jwk.get("expired_at") is not None:
        return False
    try:
        public_key = ECAlgorithm.from_jwk(
            json.dumps({k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y")})
        )
        claims = jwt.decode(
            jwt_header,
            public_key,  # type: ignore[arg-type]
            algorithms=["ES256"],
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return False
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, (int, float)):
        return False
    moment = _timestamp(now)
    if iat < moment - MAX_AGE_SECONDS or iat > moment + FUTURE_SKEW_SECONDS:
        return False
    claimed = claims.get("request_body_sha256")
    if not isinstance(claimed, str):
        return False
    return hmac.compare_digest(hashlib.sha256(body).hexdigest(), claimed)
