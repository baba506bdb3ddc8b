"""OAuth2 as Intuit runs it: auto-approving authorize, bearer token endpoint with rotating
refresh tokens (old one valid for a short grace), rolling + hard refresh expiry, revoke."""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import asdict, dataclass
from typing import Any

from apps.core.clock import Clock, OffsetClock

ACCESS_TTL = 3600
REFRESH_TTL = 100 * 24 * 3600  # rolling
HARD_TTL = 5 * 365 * 24 * 3600  # from the original authorisation
GRACE = 120  # seconds a superseded refresh token still works
CODE_TTL = 600


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str = "") -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return body


@dataclass
class Grant:
    """One authorisation (a connection); its tokens rotate but it keeps its hard expiry."""

    grant_id: str
    client_id: str
    realm: str
    hard_expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken:
    grant_id: str
    expires_at: float
    superseded_at: float | None = None


@dataclass
class AccessToken:
    grant_id: str
    expires_at: float


class TokenStore:
    def __init__(self, realm: str, clock: Clock | None = None) -> None:
        self.realm = realm
        # Every expiry is judged on the sandbox's clock; `POST /_sandbox/clock` moves it
        # forward, so tests pass an expiry without sleeping.
        self.clock = clock or OffsetClock()
        self.lock = threading.Lock()
        self.access_ttl = ACCESS_TTL
        self.refresh_ttl = REFRESH_TTL
        self.hard_ttl = HARD_TTL
        self.grace = GRACE
        self.codes: dict[str, tuple[str, str, float]] = {}  # code -> client, redirect, expiry
        self.grants: dict[str, Grant] = {}
        self.refresh: dict[str, RefreshToken] = {}
        self.access: dict[str, AccessToken] = {}
        self.dirty = False

    # --- persistence (kept in the company's state file so restarts keep connections) -----
    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "grants": {k: asdict(v) for k, v in self.grants.items()},
                "refresh": {k: asdict(v) for k, v in self.refresh.items()},
                "access": {k: asdict(v) for k, v in self.access.items()},
            }

    def restore(self, data: dict[str, Any] | None) -> None:
        if not data:
            return
        with self.lock:
            now = self.clock.time()
            self.grants = {k: Grant(**v) for k, v in data.get("grants", {}).items()}
            self.refresh = {
                k: RefreshToken(**v)
                for k, v in data.get("refresh", {}).items()
                if v["expires_at"] > now
            }
            self.access = {
                k: AccessToken(**v)
                for k, v in data.get("access", {}).items()
                if v["expires_at"] > now
            }

    def configure(self, **ttls: float) -> None:
        with self.lock:
            for name in ("access_ttl", "refresh_ttl", "hard_ttl", "grace"):
                if ttls.get(name) is not None:
                    setattr(self, name, float(ttls[name]))

    # --- flows --------------------------------------------------------------------------
    def authorize(self, client_id: str, redirect_uri: str) -> str:
        code = "AB11" + secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = (client_id, redirect_uri, self.clock.time() + CODE_TTL)
        return code

    def exchange_code(
        self, client_id: str, code: str, redirect_uri: str, include_hard: bool
    ) -> dict[str, Any]:
        with self.lock:
            entry = self.codes.pop(code, None)
            if entry is None or entry[2] < self.clock.time():
                raise OAuthError(400, "invalid_grant", "authorization code is invalid or used")
            if entry[0] != client_id:
                raise OAuthError(400, "invalid_grant", "code was issued to another client")
            if entry[1] != redirect_uri:
                raise OAuthError(400, "invalid_grant", "redirect_uri does not match")
            grant = self._new_grant(client_id)
            return self._issue(grant, include_hard)

    def issue_direct(self, client_id: str = "sandbox-dev") -> dict[str, Any]:
        """Tokens without the browser dance (tests, benchmarks, control API)."""
        with self.lock:
            return self._issue(self._new_grant(client_id), include_hard=True)

    def refresh_grant(self, client_id: str, token: str, include_hard: bool) -> dict[str, Any]:
        now = self.clock.time()
        with self.lock:
            record = self.refresh.get(token)
            if record is None:
                raise OAuthError(400, "invalid_grant", "Incorrect or invalid refresh token")
            grant = self.grants.get(record.grant_id)
            if grant is None or grant.revoked:
                raise OAuthError(400, "invalid_grant", "Refresh token has been revoked")
            if grant.client_id != client_id:
                raise OAuthError(400, "invalid_grant", "token was issued to another client")
            if record.expires_at <= now or grant.hard_expires_at <= now:
                raise OAuthError(400, "invalid_grant", "Refresh token has expired")
            if record.superseded_at is not None and now > record.superseded_at + self.grace:
                raise OAuthError(
                    400,
                    "invalid_grant",
                    "Refresh token has been rotated; use the latest refresh_token",
                )
            if record.superseded_at is None:
                record.superseded_at = now
            return self._issue(grant, include_hard)

    def revoke(self, token: str) -> bool:
        with self.lock:
            record = self.refresh.get(token) or self.access.get(token)
            if record is None:
                return False
            self._revoke_grant(record.grant_id)
            return True

    def check_access(self, token: str) -> str | None:
        """None if the token is good for this realm, else the reason (for the 401 detail)."""
        with self.lock:
            record = self.access.get(token)
            if record is None:
                return "Token invalid or unknown"
            grant = self.grants.get(record.grant_id)
            if grant is None or grant.revoked:
                return "Token revoked"
            if record.expires_at <= self.clock.time():
                return "Token expired"
            return None

    # --- test controls ------------------------------------------------------------------
    def expire_access(self) -> int:
        with self.lock:
            now = self.clock.time()
            for record in self.access.values():
                record.expires_at = min(record.expires_at, now - 1)
            self.dirty = True
            return len(self.access)

    def expire_refresh(self) -> int:
        with self.lock:
            now = self.clock.time()
            for record in self.refresh.values():
                record.expires_at = min(record.expires_at, now - 1)
            self.dirty = True
            return len(self.refresh)

    def revoke_all(self) -> int:
        with self.lock:
            for grant_id in list(self.grants):
                self._revoke_grant(grant_id)
            return len(self.grants)

    # --- internals (lock held) ----------------------------------------------------------
    def _new_grant(self, client_id: str) -> Grant:
        grant = Grant(
            "g" + secrets.token_hex(8), client_id, self.realm, self.clock.time() + self.hard_ttl
        )
        self.grants[grant.grant_id] = grant
        return grant

    def _issue(self, grant: Grant, include_hard: bool) -> dict[str, Any]:
        now = self.clock.time()
        access = "eyJ" + secrets.token_urlsafe(48)
        refresh = "AB11" + str(int(now)) + secrets.token_urlsafe(24)
        refresh_expires = min(now + self.refresh_ttl, grant.hard_expires_at)
        self.access[access] = AccessToken(grant.grant_id, now + self.access_ttl)
        self.refresh[refresh] = RefreshToken(grant.grant_id, refresh_expires)
        self._prune(now)
        self.dirty = True
        body: dict[str, Any] = {
            "token_type": "bearer",
            "access_token": access,
            "expires_in": int(self.access_ttl),
            "refresh_token": refresh,
            "x_refresh_token_expires_in": int(refresh_expires - now),
        }
        if include_hard:
            body["x_refresh_token_hard_expires_in"] = int(grant.hard_expires_at - now)
        return body

    def _revoke_grant(self, grant_id: str) -> None:
        grant = self.grants.get(grant_id)
        if grant:
            grant.revoked = True
        self.refresh = {k: v for k, v in self.refresh.items() if v.grant_id != grant_id}
        self.access = {k: v for k, v in self.access.items() if v.grant_id != grant_id}
        self.dirty = True

    def _prune(self, now: float) -> None:
        if len(self.access) > 5000:
            self.access = {k: v for k, v in self.access.items() if v.expires_at > now}
        stale = [
            k
            for k, v in self.refresh.items()
            if v.superseded_at is not None and now > v.superseded_at + self.grace
        ]
        for key in stale:
            del self.refresh[key]


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if ":" not in decoded:
        return None
    client_id, secret = decoded.split(":", 1)
    return (client_id, secret) if client_id and secret else None
