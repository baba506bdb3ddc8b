"""The one role check: may this person do this in this business? (DESIGN §3: viewer <
bookkeeper < owner.)"""

from __future__ import annotations

from typing import Any

from apps.accounts.models import ROLE_RANK, Membership
from apps.core.actors import acting_role
from apps.core.errors import PermissionDenied


def actor_role(actor: Any, business: Any) -> str | None:
    """The actor's role in ``business`` (None: not a member, or not signed in). An automation
    rule acts with the role of its owner (apps/core/actors)."""
    delegated = acting_role(actor)
    if delegated is not None:
        return delegated
    if actor is None or not getattr(actor, "pk", None):
        return None
    return (Membership.objects.filter(user=actor, business=business)
            .values_list("role", flat=True).first())


def role_at_least(have: str | None, role: str) -> bool:
    return have is not None and ROLE_RANK[have] >= ROLE_RANK[role]


def membership_require(actor: Any, business: Any, role: str, *, message: str = "") -> str:
    """The actor's role, or PermissionDenied when it is below ``role`` (``message``: the
    sentence to show instead of the default)."""
    have = actor_role(actor, business)
    if not role_at_least(have, role):
        raise PermissionDenied(
            message or f"Your role ({have or 'none'}) can't do this; it needs {role}.")
    return have
