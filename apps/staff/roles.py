"""Staff roles as Django groups (``manage.py staff_roles``; run by every release):

- **support**: sees every staff list read-only, and may "view as owner" (read-only portal).
- **operator**: support + the staff actions (sync, retry, resend, unlock, reassign) and the
  review queue's claim/approve/reject.
- **admin**: operator + people and settings (users' names, emails and passwords, businesses,
  domains). Nobody but a superuser grants access (`is_staff`, `is_superuser`, groups,
  permissions) or changes a group; memberships change only through the team services.

Money is read-only for everyone in the admin (the admins make amount fields read-only; money
changes only through the services that audit them). Rerunning resets each group's permissions
to this list, so the code is the one place the roles are defined."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

VIEW_APPS = ("core", "tenancy", "accounts", "sync", "plaid", "review", "staff", "axes")
SUPPORT = ["staff.view_as"]
OPERATOR = ["staff.operate", "review.change_reviewtask"]
ADMIN = ["accounts.add_user", "accounts.change_user", "tenancy.change_business",
         "tenancy.add_domain", "tenancy.change_domain", "tenancy.delete_domain",
         "auth.view_group", "axes.delete_accessattempt"]


def _perms(codes: list[str]) -> list[Permission]:
    query = Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def staff_roles_setup() -> dict[str, int]:
    """Create or reset the three groups; returns each group's permission count."""
    views = list(Permission.objects.filter(content_type__app_label__in=VIEW_APPS,
                                           codename__startswith="view_"))
    roles = {
        "support": views + _perms(SUPPORT),
        "operator": views + _perms(SUPPORT + OPERATOR),
        "admin": views + _perms(SUPPORT + OPERATOR + ADMIN),
    }
    counts = {}
    for name, perms in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(perms)
        counts[name] = len(perms)
    return counts
