"""Firm grants are Memberships: partners give and take them back, the client's owner sees and
revokes them, and every change is audited."""

import pytest
from django.utils import timezone

from apps.accounts.firm_access import (
    FirmError,
    firm_client_end,
    firm_client_invite,
    firm_grant,
    firm_grant_revoke,
    firm_member_remove,
)
from apps.accounts.models import (
    FirmClient,
    FirmInvitation,
    FirmMember,
    FirmRole,
    Membership,
    Role,
)
from apps.core.errors import PermissionDenied
from apps.core.models import AuditEvent
from tests.factories import FirmMemberFactory, UserFactory, make_member
from tests.factories.accounts import PASSWORD, TOTPDeviceFactory
from tests.firm.helpers import grant, make_firm, user
from tests.utils import client_for, invitation_link_from_mail


def test_partner_grants_staff_access_as_a_membership_with_the_firm(firm_setup, tenant_a):
    firm, partner, staff = firm_setup
    m = grant(firm, tenant_a, partner, staff)
    assert (m.user, m.business, m.role, m.firm) == (staff, tenant_a, Role.BOOKKEEPER, firm)
    event = AuditEvent.objects.get(action="firm.grant_added", object_id=str(m.pk))
    assert event.business_id == tenant_a.pk and event.actor == partner


def test_staff_cannot_grant_and_nobody_grants_owner_or_a_non_client(firm_setup, tenant_a):
    firm, partner, staff = firm_setup
    with pytest.raises(PermissionDenied):
        firm_grant(actor=staff, firm=firm, business=tenant_a, user=staff, role=Role.VIEWER)
    with pytest.raises(FirmError):
        firm_grant(actor=partner, firm=firm, business=tenant_a, user=staff, role=Role.OWNER)
    FirmClient.objects.filter(firm=firm, business=tenant_a).delete()
    with pytest.raises(PermissionDenied):
        firm_grant(actor=partner, firm=firm, business=tenant_a, user=staff, role=Role.VIEWER)
    assert not Membership.objects.filter(user=staff).exists()


def test_the_owner_cannot_make_a_firm_grant_an_owner(firm_setup, tenant_a):
    """The firm takes its grants back without the last-owner check, so a grant is never one."""
    from apps.accounts.services import membership_role_change
    from apps.core.errors import ApplicationError

    firm, partner, staff = firm_setup
    given = grant(firm, tenant_a, partner, staff)
    owner = make_member(tenant_a, Role.OWNER)
    with pytest.raises(ApplicationError, match="stays below owner"):
        membership_role_change(actor=owner, membership=given, role=Role.OWNER)
    given.refresh_from_db()
    assert given.role == Role.BOOKKEEPER
    membership_role_change(actor=owner, membership=given, role=Role.VIEWER)  # below: fine


def test_inviting_a_firm_grantee_makes_the_access_their_own(
        firm_setup, tenant_a, django_capture_on_commit_callbacks):
    """"Invite the person to be an owner instead" (above) must work: accepting turns the firm's
    grant into the person's own membership, which ending the firm then leaves alone."""
    from apps.accounts.services import invitation_accept, invitation_create

    firm, partner, staff = firm_setup
    grant(firm, tenant_a, partner, staff)
    owner = make_member(tenant_a, Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=owner, business=tenant_a, email=staff.email, role=Role.OWNER)
    token = invitation_link_from_mail(staff.email).rstrip("/").rsplit("/", 1)[1]
    invitation_accept(token=token, signer=staff)
    own = Membership.objects.get(user=staff, business=tenant_a)
    assert (own.role, own.firm_id) == (Role.OWNER, None)
    assert AuditEvent.objects.filter(action="membership.firm_grant_adopted",
                                     business_id=tenant_a.pk).exists()
    firm_client_end(actor=owner, link=FirmClient.objects.get(firm=firm, business=tenant_a))
    assert Membership.objects.filter(user=staff, business=tenant_a, role=Role.OWNER).exists()


def test_a_firm_cannot_take_over_someone_s_own_membership(firm_setup, tenant_a):
    firm, partner, staff = firm_setup
    make_member(tenant_a, Role.VIEWER, email=staff.email)
    with pytest.raises(FirmError):
        grant(firm, tenant_a, partner, staff)
    assert Membership.objects.get(user=staff, business=tenant_a).firm is None


def test_only_the_owner_adds_a_firm_by_slug_or_partner_email(firm_setup, tenant_a):
    other, other_partner = make_firm("numbersco", "nia@numbers.test")
    viewer = make_member(tenant_a, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        firm_client_invite(actor=viewer, business=tenant_a, firm_ref="numbersco")
    owner = make_member(tenant_a, Role.OWNER)
    link = firm_client_invite(actor=owner, business=tenant_a, firm_ref="NIA@numbers.test")
    assert link.firm == other
    assert AuditEvent.objects.filter(action="firm.client_added", business_id=tenant_a.pk,
                                     object_id=str(link.pk)).exists()
    with pytest.raises(FirmError):
        firm_client_invite(actor=owner, business=tenant_a, firm_ref="no-such-firm")


def test_a_partner_email_naming_two_firms_links_neither(firm_setup, tenant_a):
    """Nia is a partner of two firms: her email does not say which one the owner meant."""
    numbers, nia = make_firm("numbersco", "nia@numbers.test")
    aardvark, _bob = make_firm("aardvark", "bob@aardvark.test")
    FirmMemberFactory(firm=aardvark, user=nia, role=FirmRole.PARTNER)
    owner = make_member(tenant_a, Role.OWNER)
    with pytest.raises(FirmError, match="more than one firm"):
        firm_client_invite(actor=owner, business=tenant_a, firm_ref="nia@numbers.test")
    assert not FirmClient.objects.filter(business=tenant_a, firm__in=[numbers, aardvark]).exists()
    assert firm_client_invite(actor=owner, business=tenant_a, firm_ref="numbersco").firm == numbers


def test_owner_revokes_a_grant_and_access_ends_on_the_next_request(firm_setup, tenant_a):
    firm, partner, staff = firm_setup
    m = grant(firm, tenant_a, partner, staff)
    portal = client_for(tenant_a, staff)
    assert portal.get("/").status_code == 200
    owner, pk = make_member(tenant_a, Role.OWNER), m.pk
    firm_grant_revoke(actor=owner, membership=m)
    assert portal.get("/").status_code == 404
    event = AuditEvent.objects.get(action="firm.grant_revoked", object_id=str(pk))
    assert event.actor == owner and event.before["reason"] == "revoked"


def test_a_stranger_cannot_revoke(firm_setup, tenant_a, tenant_b):
    firm, partner, staff = firm_setup
    m = grant(firm, tenant_a, partner, staff)
    with pytest.raises(PermissionDenied):
        firm_grant_revoke(actor=make_member(tenant_b, Role.OWNER), membership=m)
    with pytest.raises(PermissionDenied):
        firm_grant_revoke(actor=staff, membership=m)
    assert Membership.objects.filter(pk=m.pk).exists()


def test_ending_the_client_or_removing_the_member_removes_every_grant(firm_setup, tenant_a,
                                                                      tenant_b):
    firm, partner, staff = firm_setup
    grant(firm, tenant_a, partner, staff)
    grant(firm, tenant_a, partner, partner)
    grant(firm, tenant_b, partner, staff)
    owner = make_member(tenant_a, Role.OWNER)
    firm_client_end(actor=owner, link=FirmClient.objects.get(firm=firm, business=tenant_a))
    assert not Membership.objects.filter(firm=firm, business=tenant_a).exists()
    assert Membership.objects.filter(firm=firm, business=tenant_b, user=staff).exists()
    firm_member_remove(actor=partner, member=FirmMember.objects.get(firm=firm, user=staff))
    assert not Membership.objects.filter(user=staff).exists()
    assert AuditEvent.objects.filter(action="firm.member_removed").count() == 1


def test_the_last_partner_cannot_be_removed(firm_setup):
    firm, partner, _staff = firm_setup
    with pytest.raises(FirmError):
        firm_member_remove(actor=partner, member=FirmMember.objects.get(firm=firm, user=partner))


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_firm_invitation_link_makes_a_member_once(firm_setup,
                                                  django_capture_on_commit_callbacks):
    from apps.accounts.firm_access import firm_invitation_accept, firm_invitation_create
    from apps.accounts.services import InvalidInvitation

    firm, partner, _staff = firm_setup
    with django_capture_on_commit_callbacks(execute=True):
        firm_invitation_create(actor=partner, firm=firm, email="Kim@Ledgerly.test",
                               role="staff")
    token = _token(invitation_link_from_mail("kim@ledgerly.test"))
    person, joined = firm_invitation_accept(token=token, password="a-long-password-1")
    assert joined == firm and FirmMember.objects.get(user=person).role == "staff"
    with pytest.raises(InvalidInvitation, match="already been used"):
        firm_invitation_accept(token=token, password="a-long-password-1")
    assert user("kim@ledgerly.test") == person
    with django_capture_on_commit_callbacks(execute=True):
        firm_invitation_create(actor=partner, firm=firm, email="lee@ledgerly.test",
                               role="staff")
    late = _token(invitation_link_from_mail("lee@ledgerly.test"))
    FirmInvitation.objects.filter(email="lee@ledgerly.test").update(expires_at=timezone.now())
    with pytest.raises(InvalidInvitation, match="expired. Ask a partner"):
        firm_invitation_accept(token=late, password="long-pass-2x")
    with pytest.raises(InvalidInvitation, match="not valid"):
        firm_invitation_accept(token="no-such-token", password="a-long-password-1")


def test_a_firm_invitation_asks_a_two_step_account_to_sign_in_first(
        firm_setup, django_capture_on_commit_callbacks):
    """An existing account accepts as it signs in: see tests/accounts/test_invitation_proof."""
    firm, partner, _staff = firm_setup
    person = UserFactory(email="kim@corp.test")
    TOTPDeviceFactory(user=person)
    from apps.accounts.firm_access import firm_invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        firm_invitation_create(actor=partner, firm=firm, email=person.email, role="staff")
    path = invitation_link_from_mail(person.email)
    browser = client_for(None)
    assert b"invite-sign-in-first" in browser.get(path).content
    refused = browser.post(path, {"password": PASSWORD})
    assert refused.status_code == 400 and b"sign in first" in refused.content
    assert not FirmMember.objects.filter(firm=firm, user=person).exists()
    browser.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    assert browser.post(path, {}).status_code == 302
    assert FirmMember.objects.filter(firm=firm, user=person).exists()
