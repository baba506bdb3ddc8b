"""A business nobody belongs to (what an interrupted sign-up left before provisioning and the
owner were one transaction) holds its slug for good: `manage.py memberless_businesses` lists
them, and removes one for a named staff member with a reason (audited); anything with a member
is refused (its owners delete it)."""

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from apps.core.models import AuditEvent
from apps.tenancy.models import Business
from apps.tenancy.services import business_provision, slug_validate
from tests.factories import make_member
from tests.staff.conftest import staff_user


def test_a_business_nobody_belongs_to_is_listed_and_removed_by_staff_audited(tenant_a, capsys):
    make_member(tenant_a, "owner")
    orphan = business_provision(slug="orphan-co", name="Orphan", fresh_schema=True)
    staff = staff_user("admin@oodaloo.test", "admin")
    call_command("memberless_businesses")
    listed = capsys.readouterr().out
    assert "orphan-co" in listed and "alpha" not in listed

    refusals = [
        ({"remove": "orphan-co", "reason": "left by a sign-up"}, "staff member"),  # no --by
        ({"remove": "orphan-co", "by": "someone@example.test", "reason": "x"}, "staff member"),
        ({"remove": "orphan-co", "by": staff.email}, "needs a reason"),
        ({"remove": "alpha", "by": staff.email, "reason": "x"}, "has members"),
        ({"remove": "tenant-base", "by": staff.email, "reason": "x"}, "not a business"),
    ]
    for options, message in refusals:
        with pytest.raises(CommandError, match=message):
            call_command("memberless_businesses", **options)
    assert Business.objects.filter(slug__in=["alpha", "orphan-co", "tenant-base"]).count() == 3

    call_command("memberless_businesses", remove="orphan-co", by=staff.email,
                 reason="sign-up interrupted before its owner was added")
    assert "orphan-co" in capsys.readouterr().out
    assert not Business.objects.filter(pk=orphan.pk).exists()
    assert not schema_exists("orphan_co")
    entry = AuditEvent.objects.get(action="staff.business_removed")
    assert entry.actor == staff and entry.before["slug"] == "orphan-co"
    assert entry.after == {"reason": "sign-up interrupted before its owner was added"}
    assert slug_validate("orphan-co", fresh_schema=True) == "orphan-co"  # free again
