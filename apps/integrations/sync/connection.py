"""Connecting a business to QBO, keeping its tokens fresh, and building its API client.

- Tokens live encrypted in ``QboConnection``; every refresh stores BOTH new tokens (QBO rotates
  the refresh token) under a row lock, so two workers never refresh with a stale grant.
- ``needs_reconnect``: the refresh token dies within 14 days (rolling or 5-year hard expiry) or a
  refresh failed with ``invalid_grant`` — we ask the owner before, not after (DESIGN §3).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction
from django.utils import timezone

from apps.core.enqueue import enqueue
from apps.core.services.audit import audit_record
from apps.integrations.qbo.client import QboClient
from apps.integrations.qbo.errors import AuthenticationError, QboError
from apps.integrations.qbo.oauth import OAuthError, QboOAuth, TokenSet
from apps.integrations.retry import RetryPolicy
from apps.integrations.sync.company_change import other_companies_retire
from apps.integrations.sync.limiter import RedisRateLimiter
from apps.integrations.sync.models import QboConnection
from apps.integrations.sync.token_session import token_session
from apps.tenancy.models import Business
from apps.tenancy.urls import public_url

QBO_SYNC_BUSINESS = "sync.qbo_sync_business"  # the task (tasks.py) qbo_sync_enqueue sends

STATE_SALT = "oodaloo.qbo-connect"
STATE_MAX_AGE = 15 * 60
RECONNECT_WARNING = timedelta(days=14)
ACCESS_MARGIN = timedelta(minutes=5)
CALLBACK_PATH = "/connect/qbo/callback/"
REVOKED = "revoked"


class ConnectError(Exception):
    """The connect flow cannot go on (bad state, refused code); the message is for the owner."""


# --- OAuth plumbing -------------------------------------------------------------------------


def qbo_redirect_uri(business: Business | None = None) -> str:
    """The one OAuth callback Intuit knows (an app has one redirect URI, not one per business):
    `QBO_REDIRECT_URI`, else the public host's callback (development). It forwards to the
    business named in the signed state (apps/integrations/sync/views.py)."""
    return getattr(settings, "QBO_REDIRECT_URI", "") or public_url(CALLBACK_PATH)


def qbo_oauth(business: Business, *, environment: str | None = None) -> QboOAuth:
    return QboOAuth(
        settings.QBO_CLIENT_ID,
        settings.QBO_CLIENT_SECRET,
        qbo_redirect_uri(business),
        environment or settings.QBO_ENVIRONMENT,
    )


def qbo_state_make(business: Business, user: Any = None) -> str:
    """A signed, expiring CSRF ``state`` naming the business (and who started the flow)."""
    return signing.dumps(
        {"b": business.pk, "u": getattr(user, "pk", None)}, salt=STATE_SALT, compress=True
    )


def qbo_state_check(business: Business, state: str) -> dict[str, Any]:
    try:
        data = signing.loads(state or "", salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.SignatureExpired:
        raise ConnectError("The QuickBooks sign-in took too long. Please try again.")
    except signing.BadSignature:
        raise ConnectError("That QuickBooks sign-in link is not valid. Please start again.")
    if data.get("b") != business.pk:
        raise ConnectError("That QuickBooks sign-in was started for another business.")
    return data


def qbo_authorization_url(business: Business, state: str, *, environment: str | None = None) -> str:
    return qbo_oauth(business, environment=environment).authorization_url(state)


# --- tokens ---------------------------------------------------------------------------------


def _reconnect_by(tokens: TokenSet) -> datetime | None:
    return tokens.reconnect_by


def _store_tokens(conn: QboConnection, tokens: TokenSet) -> None:
    conn.access_token = tokens.access_token
    conn.refresh_token = tokens.refresh_token or conn.refresh_token
    conn.access_expires_at = tokens.access_expires_at
    conn.refresh_expires_at = _reconnect_by(tokens) or conn.refresh_expires_at


def connection_needs_reconnect(conn: QboConnection | None, now: datetime | None = None) -> bool:
    """True when the owner should reconnect now (before the refresh token dies, not after)."""
    if conn is None or conn.status == QboConnection.Status.DISCONNECTED:
        return False
    if conn.status == QboConnection.Status.NEEDS_RECONNECT:
        return True
    if conn.refresh_expires_at is None:
        return False
    return conn.refresh_expires_at - (now or timezone.now()) <= RECONNECT_WARNING


def _mark_needs_reconnect(conn_id: int, reason: str) -> None:
    with transaction.atomic():
        conn = QboConnection.objects.select_for_update().get(pk=conn_id)
        conn.status = QboConnection.Status.NEEDS_RECONNECT
        conn.last_error = reason[:2000]
        conn.save(update_fields=["status", "last_error"])
        Business.objects.filter(pk=conn.business_id).update(last_error=reason[:2000])


class ConnectionTokenSource:
    """A ``TokenSource`` for QboClient backed by the QboConnection row.

    ``access_token()`` refreshes ahead of expiry; ``refresh()`` (the client calls it after a 401)
    refreshes unless another worker already replaced the token that failed.
    """

    def __init__(self, conn: QboConnection, *, margin: timedelta = ACCESS_MARGIN) -> None:
        self.conn_id = conn.pk
        self.token = conn.access_token
        self.expires_at = conn.access_expires_at
        self.environment = conn.oauth_environment or settings.QBO_ENVIRONMENT
        self.margin = margin

    def _fresh(self, now: datetime) -> bool:
        return bool(self.token) and self.expires_at is not None and (
            self.expires_at - self.margin > now
        )

    def access_token(self) -> str:
        if self._fresh(timezone.now()):
            return self.token
        return self._refresh(failed_token=None)

    def refresh(self) -> str:
        return self._refresh(failed_token=self.token)

    def _refresh(self, failed_token: str | None) -> str:
        try:
            if transaction.get_connection().in_atomic_block:
                # The caller's transaction may roll back after QBO rotated the refresh token:
                # the new tokens are committed on a session of their own (token_session.py).
                try:
                    with token_session() as alias:
                        return self._locked_refresh(alias, failed_token, nowait=True)
                except _SessionUnavailable:
                    pass  # row locked (maybe by this very transaction) or not committed yet
            return self._locked_refresh(DEFAULT_DB_ALIAS, failed_token)
        except OAuthError as error:
            # Outside the row lock's transaction, so the "needs reconnect" mark is its own.
            if error.needs_reconnect:
                _mark_needs_reconnect(
                    self.conn_id, "QuickBooks refused to refresh the connection: reconnect needed"
                )
            raise AuthenticationError(f"token refresh failed: {error}", status=401) from error

    def _locked_refresh(self, using: str, failed_token: str | None, *,
                        nowait: bool = False) -> str:
        now = timezone.now()
        with transaction.atomic(using=using):
            try:
                conn = (QboConnection.objects.using(using).select_for_update(nowait=nowait)
                        .get(pk=self.conn_id))
            except (QboConnection.DoesNotExist, OperationalError) as exc:
                if nowait:  # a lock NOWAIT refused, or a row the caller has not committed
                    raise _SessionUnavailable from exc
                raise
            stored_ok = conn.access_expires_at and conn.access_expires_at - self.margin > now
            if stored_ok and conn.access_token and conn.access_token != failed_token:
                # Another worker refreshed meanwhile: use its token, keep the grant intact.
                self.token, self.expires_at = conn.access_token, conn.access_expires_at
                return self.token
            if not conn.refresh_token or conn.status == QboConnection.Status.DISCONNECTED:
                raise AuthenticationError("QuickBooks is not connected", status=401)
            business = Business.objects.using(using).get(pk=conn.business_id)
            oauth = qbo_oauth(business, environment=self.environment)
            tokens = oauth.refresh(conn.refresh_token, conn.realm_id)  # OAuthError: nothing saved
            _store_tokens(conn, tokens)
            if conn.status == QboConnection.Status.NEEDS_RECONNECT:
                conn.status = QboConnection.Status.CONNECTED
            conn.save(using=using, update_fields=[
                "access_token", "refresh_token", "access_expires_at", "refresh_expires_at",
                "status",
            ])
        # A copy for the business row; on the caller's session (no lock of ours to wait on).
        Business.objects.filter(pk=conn.business_id).update(
            token_expires_at=conn.refresh_expires_at
        )
        self.token, self.expires_at = conn.access_token, conn.access_expires_at
        return self.token


class _SessionUnavailable(Exception):
    """The token session cannot take the connection row now: refresh on the caller's."""


# --- the client -----------------------------------------------------------------------------


def qbo_retry_policy() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=getattr(settings, "QBO_RETRY_ATTEMPTS", 4),
        base=getattr(settings, "QBO_RETRY_BASE", 0.5),
        cap=getattr(settings, "QBO_RETRY_CAP", 8.0),
    )


_limiters: dict[str, RedisRateLimiter] = {}


def qbo_limiter() -> RedisRateLimiter | None:
    """The shared per-realm limiter (500/min, 10 concurrent); ``QBO_LIMITER=False`` disables it
    (benchmarks against a sandbox with ``limits=off``)."""
    if not getattr(settings, "QBO_LIMITER", True):
        return None
    url = settings.REDIS_URL
    per_minute = getattr(settings, "QBO_RATE_PER_MINUTE", 500)
    concurrent = getattr(settings, "QBO_CONCURRENT", 10)
    key = f"{url}|{per_minute}|{concurrent}"  # overridden settings get a limiter of their own
    if key not in _limiters:
        _limiters[key] = RedisRateLimiter(url, per_minute=per_minute, concurrent=concurrent)
    return _limiters[key]


def connection_for(business: Business) -> QboConnection | None:
    return QboConnection.objects.filter(business=business).first()


def qbo_client_for(business_or_conn: Business | QboConnection, **kwargs: Any) -> QboClient:
    conn = business_or_conn
    if isinstance(business_or_conn, Business):
        conn = connection_for(business_or_conn)
        if conn is None:
            raise ConnectError(f"{business_or_conn.slug} is not connected to QuickBooks")
    if conn.status == QboConnection.Status.DISCONNECTED:
        raise ConnectError("QuickBooks was disconnected for this business")
    kwargs.setdefault("limiter", qbo_limiter())
    kwargs.setdefault("retry", qbo_retry_policy())
    return QboClient(conn.api_base, conn.realm_id, ConnectionTokenSource(conn), **kwargs)


# --- connect / disconnect ---------------------------------------------------------------------


def qbo_connect_complete(
    business: Business,
    code: str,
    realm_id: str,
    api_base: str | None = None,
    *,
    actor: Any = None,
    environment: str | None = None,
    enqueue_sync: bool = True,
) -> QboConnection:
    """Exchange the authorisation code, store the tokens, fetch the company name, audit, and
    (after commit) start the full sync."""
    if not code or not realm_id:
        raise ConnectError("QuickBooks did not send back an authorisation code.")
    environment = environment or settings.QBO_ENVIRONMENT
    try:
        tokens = qbo_oauth(business, environment=environment).exchange_code(code, realm_id)
    except OAuthError as exc:
        raise ConnectError(f"QuickBooks refused the connection ({exc.code or exc.status}).")
    with transaction.atomic():
        conn = QboConnection.objects.select_for_update().filter(business=business).first()
        before = {"realm_id": conn.realm_id, "status": conn.status} if conn else None
        if conn is None:
            conn = QboConnection(business=business)
        old_realm = conn.realm_id
        if old_realm and old_realm != str(realm_id):
            # Another company: its rows leave the books and a full sync starts over.
            conn.changes_since = None
            conn.last_full_sync_at = None
            conn.synced_entities = []
            retired = other_companies_retire(business, str(realm_id))
            audit_record(
                actor=actor, action="qbo.company_changed", business=business, obj=conn,
                before={"realm_id": old_realm, "company_name": conn.company_name},
                after={"realm_id": str(realm_id), "rows_retired": retired},
            )
        conn.realm_id = str(realm_id)
        conn.api_base = (api_base or settings.QBO_API_BASE).rstrip("/")
        conn.oauth_environment = environment
        conn.status = QboConnection.Status.CONNECTED
        conn.last_error = ""
        _store_tokens(conn, tokens)
        conn.save()
        # The company name shows the owner which company got connected.
        try:
            info = qbo_client_for(conn).company_info()
            conn.company_name = str(info.get("CompanyName") or "")[:200]
            conn.save(update_fields=["company_name"])
        except QboError as exc:
            conn.last_error = f"could not read company info: {exc}"[:2000]
            conn.save(update_fields=["last_error"])
        Business.objects.filter(pk=business.pk).update(
            token_expires_at=conn.refresh_expires_at, last_error=""
        )
        audit_record(
            actor=actor, action="qbo.connect", business=business, obj=conn,
            before=before,
            after={"realm_id": conn.realm_id, "company_name": conn.company_name},
        )
        if enqueue_sync:
            transaction.on_commit(lambda: qbo_sync_enqueue(business, full=True))
    return conn


def qbo_sync_enqueue(business: Business, *, full: bool = False) -> None:
    """Send the per-business sync task from inside the business's schema (tenant-schemas-celery
    carries it)."""
    from django_tenants.utils import tenant_context

    with tenant_context(business):
        enqueue(QBO_SYNC_BUSINESS, full=full)


def qbo_disconnect(actor: Any, business: Business) -> None:
    """Revoke the grant at Intuit (best effort), forget the tokens, audit."""
    conn = connection_for(business)
    if conn is None or conn.status == QboConnection.Status.DISCONNECTED:
        return
    revoke_error = ""
    if conn.refresh_token and conn.refresh_token != REVOKED:
        try:
            oauth = qbo_oauth(business, environment=conn.oauth_environment or None)
            oauth.revoke(conn.refresh_token)
        except (OAuthError, QboError, OSError) as exc:
            revoke_error = str(exc)[:500]
    with transaction.atomic():
        conn = QboConnection.objects.select_for_update().get(pk=conn.pk)
        conn.status = QboConnection.Status.DISCONNECTED
        # Work-around: EncryptedTextField stores "" as NULL into a NOT NULL column, so a
        # non-secret placeholder replaces the revoked tokens.
        conn.access_token = REVOKED
        conn.refresh_token = REVOKED
        conn.access_expires_at = None
        conn.last_error = f"revoke failed: {revoke_error}" if revoke_error else ""
        conn.save()
        Business.objects.filter(pk=business.pk).update(token_expires_at=None)
        audit_record(
            actor=actor, action="qbo.disconnect", business=business, obj=conn,
            before={"realm_id": conn.realm_id, "status": "connected"},
            after={"status": "disconnected", "revoke_error": revoke_error},
        )


def qbo_disconnect_if_revoked(business: Business) -> bool:
    """Intuit's Disconnect URL was opened (the owner disconnected inside QuickBooks). A GET
    anyone could send must not disconnect anybody, so believe it only when Intuit refuses our
    grant; then revoke what is left and mark the connection disconnected. True = disconnected."""
    conn = connection_for(business)
    if conn is None or conn.status == QboConnection.Status.DISCONNECTED:
        return True
    try:
        ConnectionTokenSource(conn).refresh()
    except AuthenticationError:
        conn.refresh_from_db()
        if conn.status != QboConnection.Status.NEEDS_RECONNECT:
            return False  # refused for another reason (network, our keys): not a disconnect
        qbo_disconnect(None, business)
        return True
    return False
