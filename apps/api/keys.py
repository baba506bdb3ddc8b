"""API key services: create (owner only, secret shown once), revoke, and authenticate.
Creation and revocation are audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.accounts.models import Membership, Role
from apps.api.models import ApiKey
from apps.core.errors import ApplicationError, NotFound, PermissionDenied
from apps.core.services.audit import audit_record

KEY_PREFIX = "ood"


def _hash(secret: str) -> str:
    # Secrets are 32 random bytes: a plain SHA-256 is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_owner(actor: Any, business: Any) -> None:
    if not Membership.objects.filter(user=actor, business=business, role=Role.OWNER).exists():
        raise PermissionDenied("Only an owner can manage API keys.")


def api_key_create(*, actor: Any, business: Any, name: str, scope: str) -> tuple[ApiKey, str]:
    """Returns the key row and the full key string (`ood_<prefix>_<secret>`), never stored."""
    _require_owner(actor, business)
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the key a name (what uses it).", code="invalid")
    if scope not in ApiKey.Scope.values:
        raise ApplicationError("Scope must be “read” or “write”.", code="invalid")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name[:100], prefix=prefix, secret_hash=_hash(secret), scope=scope,
            created_by_id=actor.pk, created_by_email=actor.email,
        )
        audit_record(actor=actor, action="api_key.created", business=business, obj=key,
                     after={"name": key.name, "scope": scope, "prefix": prefix})
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def api_key_revoke(*, actor: Any, business: Any, key_id: int) -> ApiKey:
    _require_owner(actor, business)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(pk=key_id).first()
        if key is None:
            raise NotFound("No such API key.")
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="api_key.revoked", business=business, obj=key,
                         before={"active": True}, after={"active": False})
    return key


def api_keys_member_left(*, actor: Any, business: Any, user: Any) -> None:
    """`user` left `business` (plugged at ``accounts.member_left``): their keys there are
    revoked for good, audited, so rejoining later (in any role) does not bring them back."""
    with tenant_context(business), transaction.atomic():
        for key in ApiKey.objects.select_for_update().filter(created_by_id=user.pk,
                                                             revoked_at__isnull=True):
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="api_key.revoked", business=business, obj=key,
                         before={"active": True},
                         after={"active": False, "reason": "owner_left", "owner": user.email})


def api_key_authenticate(raw: str) -> tuple[ApiKey, Any] | None:
    """The active key and its creator for `raw`, or None (wrong, revoked, creator gone, or
    made before the creator's current membership)."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = ApiKey.objects.filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(parts[2])):
        return None
    user = get_user_model().objects.filter(pk=key.created_by_id, is_active=True).first()
    if user is None:
        return None
    if Membership.objects.filter(user=user, business_id=connection.tenant.pk,
                                 created_at__gt=key.created_at).exists():
        # Made during an earlier membership (one ended without `api_keys_member_left`, e.g.
        # before it existed): the person left since, and leaving ends a key.
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key, user
