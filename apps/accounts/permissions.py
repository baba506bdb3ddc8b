"""The one mechanism for role checks on tenant hosts.

Every view in the tenant URLconf declares its access with `portal_view(...)` or `open_view`.
`MembershipMiddleware` enforces it before the view runs: anonymous → sign in; not a member of
this business → 404 (we do not confirm the business exists); role too low → 403.
A view with no declaration is refused (deny by default; a test walks every URL pattern).
"""

from django.http import HttpRequest

from apps.accounts.models import Role
from apps.accounts.roles import role_at_least

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
OPEN = "open"


def portal_view(view=None, *, read: str = Role.VIEWER, write: str = Role.BOOKKEEPER):
    """Members with `read` may GET; unsafe methods need `write`."""

    def mark(fn):
        fn.oodaloo_access = {"read": read, "write": write}
        return fn

    return mark(view) if view is not None else mark


def open_view(fn):
    """No membership needed (sign-in, hand-off, unsubscribe links, health)."""
    fn.oodaloo_access = OPEN
    return fn


def required_role(access: dict, method: str) -> str:
    return access["read"] if method in SAFE_METHODS else access["write"]


def role_allows(membership, role: str) -> bool:
    return membership is not None and role_at_least(membership.role, role)


def can(request: HttpRequest, role: str) -> bool:
    """For templates/views deciding whether to show an action button."""
    return role_allows(getattr(request, "membership", None), role)
