"""Webhook signing as Plaid does it: an ES256 JWT in `Plaid-Verification` whose claims hold
`iat` and the SHA-256 hex digest of the exact body bytes. Keys are EC P-256, served as JWKs
by /webhook_verification_key/get."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes(32, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey
    created_at: int
    expired_at: int | None = None

    def jwk(self) -> dict[str, Any]:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "alg": "ES256",
            "crv": "P-256",
            "kid": self.kid,
            "kty": "EC",
            "use": "sig",
            "x": _b64url_uint(numbers.x),
            "y": _b64url_uint(numbers.y),
            "created_at": self.created_at,
            "expired_at": self.expired_at,
        }


def new_key() -> SigningKey:
    return SigningKey(
        kid=str(uuid.uuid4()),
        private_key=ec.generate_private_key(ec.SECP256R1()),
        created_at=int(time.time()),
    )


@dataclass
class KeyRing:
    """The current signing key plus every retired one (still served, with expired_at set)."""

    keys: dict[str, SigningKey] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        if not self.keys:
            key = new_key()
            self.keys[key.kid] = key
        self.current_kid = next(reversed(self.keys))

    def get(self, kid: str) -> SigningKey | None:
        return self.keys.get(kid)

    def rotate(self) -> SigningKey:
        with self._lock:
            self.keys[self.current_kid].expired_at = int(time.time())
            key = new_key()
            self.keys[key.kid] = key
            self.current_kid = key.kid
            return key

    def sign(self, body: bytes, iat: int | None = None) -> str:
        key = self.keys[self.current_kid]
        claims = {
            "iat": int(time.time()) if iat is None else int(iat),
            "request_body_sha256": hashlib.sha256(body).hexdigest(),
        }
        return jwt.encode(
            claims, key.private_key, algorithm="ES256", headers={"kid": key.kid, "typ": "JWT"}
        )
