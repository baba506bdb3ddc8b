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
from collections.abc import Callable
from typing import Any

import jwt
from jwt.algorithms import ECAlgorithm

MAX_AGE_SECONDS = 5 * 60
# Tolerated clock skew for an iat slightly in the future.
FUTURE_SKEW_SECONDS = 60

KeyFetcher = Callable[[str], "dict[str, Any] | None"]


class CachingKeyFetcher:
    """Caches JWKs by kid; fetches (e.g. PlaidClient.webhook_verification_key) on a miss."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]]) -> None:
        self._fetch = fetch
        self._keys: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def __call__(self, kid: str) -> dict[str, Any] | None:
        with self._lock:
            key = self._keys.get(kid)
        if key is not None:
            return key
        try:
            key = self._fetch(kid)
        except Exception:  # unknown kid or Plaid unreachable: cannot verify -> reject
            return None
        self.fetches += 1
        with self._lock:
            self._keys[kid] = key
        return key


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
