"""OAuth 2.0 for QBO: a thin wrapper over intuit-oauth's ``AuthClient``.

``environment`` is "sandbox", "production", or the URL of an OpenID discovery document (the
local QBO sandbox serves its own; intuit-oauth treats any other value as that URL).

QBO rotates refresh tokens: every refresh may return a new one and the old one dies soon after,
so callers must persist the ``TokenSet`` returned by ``refresh`` (both tokens) every time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError

from .errors import QboError

ACCOUNTING_SCOPES = (Scopes.ACCOUNTING,)


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    realm_id: str | None
    refresh_hard_expires_at: datetime | None = None  # the 5-year cap (Intuit, 2025-11)

    def access_expires_within(self, margin: timedelta, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) + margin >= self.access_expires_at

    @property
    def reconnect_by(self) -> datetime | None:
        """The earliest moment the refresh token dies (rolling or hard expiry)."""
        moments = [m for m in (self.refresh_expires_at, self.refresh_hard_expires_at) if m]
        return min(moments) if moments else None


class OAuthError(QboError):
    """The token endpoint refused. ``invalid_grant`` means the owner must reconnect."""

    @property
    def needs_reconnect(self) -> bool:
        return "invalid_grant" in (self.code or "") or "invalid_grant" in self.detail


def _seconds_from(now: datetime, value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    return now + timedelta(seconds=int(value))


def _wrap(exc: AuthClientError) -> OAuthError:
    raw = exc.content or b""
    content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    code = next((c for c in ("invalid_grant", "invalid_client") if c in content), "")
    status = getattr(exc, "status_code", None)
    return OAuthError(
        f"token endpoint answered {status}",
        code=code,
        detail=content[:500],
        status=status,
        intuit_tid=getattr(exc, "intuit_tid", "") or "",
    )


@dataclass(frozen=True)
class QboOAuth:
    """The app's OAuth credentials: each flow builds its own ``AuthClient`` from them."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str
    environment: str = "sandbox"
    _: KW_ONLY
    request_hard_expiry: bool = True

    def _client(self, **kwargs: Any) -> AuthClient:
        """A fresh AuthClient per flow: it stores tokens on itself, so never share one."""
        try:
            client = AuthClient(
                self.client_id, self.client_secret, self.redirect_uri, self.environment, **kwargs
            )
        except AuthClientError as exc:
            raise _wrap(exc) from exc
        client.include_refresh_token_hard_expires_in = self.request_hard_expiry
        return client

    def authorization_url(self, state: str) -> str:
        """Where to send the owner to connect QBO; ``state`` is our CSRF token (check it)."""
        return self._client().get_authorization_url(list(ACCOUNTING_SCOPES), state_token=state)

    def _token_set(self, client: AuthClient, realm_id: str | None) -> TokenSet:
        now = datetime.now(UTC)
        return TokenSet(
            access_token=client.access_token,
            refresh_token=client.refresh_token,
            access_expires_at=_seconds_from(now, client.expires_in or 3600),
            refresh_expires_at=_seconds_from(now, client.x_refresh_token_expires_in),
            realm_id=realm_id,
            refresh_hard_expires_at=_seconds_from(
                now, getattr(client, "x_refresh_token_hard_expires_in", None)
            ),
        )

    def exchange_code(self, code: str, realm_id: str) -> TokenSet:
        client = self._client()
        try:
            client.get_bearer_token(code, realm_id=realm_id)
        except AuthClientError as exc:
            raise _wrap(exc) from exc
        return self._token_set(client, realm_id)

    def refresh(self, refresh_token: str, realm_id: str | None = None) -> TokenSet:
        """New access token; the returned refresh token replaces the old one (persist it)."""
        client = self._client(refresh_token=refresh_token)
        try:
            client.refresh(refresh_token=refresh_token)
        except AuthClientError as exc:
            raise _wrap(exc) from exc
        if not client.refresh_token:  # defensive: never lose the grant
            client.refresh_token = refresh_token
        return self._token_set(client, realm_id)

    def revoke(self, token: str) -> bool:
        client = self._client()
        try:
            return client.revoke(token=token)
        except AuthClientError as exc:
            raise _wrap(exc) from exc


class OAuthTokenSource:
    """A TokenSource for QboClient backed by a TokenSet and QboOAuth.

    Refreshes ahead of expiry (``margin``) and when the client reports a 401. Every new
    TokenSet goes to ``on_refresh`` — persist it there (the refresh token rotates).
    """

    def __init__(
        self,
        oauth: QboOAuth,
        tokens: TokenSet,
        *,
        on_refresh: Callable[[TokenSet], None] | None = None,
        margin: timedelta = timedelta(minutes=5),
    ) -> None:
        self.oauth = oauth
        self.tokens = tokens
        self.on_refresh = on_refresh
        self.margin = margin
        self._lock = threading.Lock()

    def access_token(self) -> str:
        if self.tokens.access_expires_within(self.margin):
            return self.refresh()
        return self.tokens.access_token

    def refresh(self) -> str:
        with self._lock:
            new = self.oauth.refresh(self.tokens.refresh_token, self.tokens.realm_id)
            self.tokens = new
            if self.on_refresh is not None:
                self.on_refresh(new)
            return new.access_token
