from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts import services
from apps.accounts.models import Invitation, Membership, Role
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.models import AuditEvent
from tests.factories import make_member
from tests.utils import client_for, invitation_link_from_mail


def test_viewer_cannot_change_anything(tenant_a):
    viewer = make_member(tenant_a, Role.VIEWER)
    client = client_for(tenant_a, viewer)
    assert client.get("/").status_code == 200
    response = client.post("/")
    assert response.status_code == 403
    assert b"viewer" in response.content


def _token(path):
    return path.rstrip("/").rsplit("/", 1)[1]


def test_invitation_works_once_and_is_audited(
    tenant_a, owner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=owner_a, business=tenant_a, email="New@Person.test", role=Role.BOOKKEEPER
        )
    assert [m.to for m in mail.outbox] == [["new@person.test"]]
    link = invitation_link_from_mail("new@person.test")
    public = client_for(None)
    assert public.get(link).status_code == 200
    response = public.post(link, {"password": "a-long-password-1"})
    assert response.status_code == 302 and "alpha.localhost" in response["Location"]
    member = Membership.objects.get(user__email="new@person.test", business=tenant_a)
    assert member.role == Role.BOOKKEEPER
    again = client_for(None).post(link, {"password": "a-long-password-1"})
    assert again.status_code == 410 and b"already been used" in again.content
    actions = set(AuditEvent.objects.filter(business=tenant_a).values_list("action", flat=True))
    assert {"invitation.created", "membership.added"} <= actions


def test_expired_invitation_is_refused(tenant_a, owner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=owner_a, business=tenant_a, email="late@person.test", role=Role.VIEWER
        )
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ApplicationError, match="expired"):
        services.invitation_accept(token=_token(invitation_link_from_mail("late@person.test")),
                                   password="a-long-password-1")
    assert not Membership.objects.filter(user__email="late@person.test").exists()


def test_only_owners_invite_and_change_roles(tenant_a, owner_a):
    bookkeeper = make_member(tenant_a, Role.BOOKKEEPER)
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=bookkeeper, business=tenant_a, email="x@y.test", role=Role.OWNER
        )
    membership = Membership.objects.get(user=bookkeeper)
    services.membership_role_change(actor=owner_a, membership=membership, role=Role.VIEWER)
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.before == {"role": "bookkeeper"} and event.after["role"] == "viewer"
    with pytest.raises(ApplicationError, match="at least one owner"):
        services.membership_role_change(
            actor=owner_a, membership=Membership.objects.get(user=owner_a), role=Role.VIEWER
        )


@pytest.mark.parametrize("slug", ["alpha", "www", "admin", "api", "public"])
def test_signup_with_taken_or_reserved_slug_is_a_clear_error(db, slug):
    response = client_for(None).post(
        "/signup/",
        {
            "business_name": "X",
            "slug": slug,
            "timezone": "America/Chicago",
            "email": f"x-{slug}@x.test",
            "password": "a-long-password-1",
        },
    )
    assert response.status_code == 400
    assert b"taken" in response.content or b"reserved" in response.content


def test_login_is_rate_limited(tenant_a, owner_a):
    client = client_for(None)
    for _ in range(5):
        bad = client.post("/", {"email": owner_a.email, "password": "wrong-password"})
        assert bad.status_code in (400, 429)
    locked = client.post("/", {"email": owner_a.email, "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content


def test_public_login_lands_in_the_only_business(tenant_a, owner_a):
    client = client_for(None)
    response = client.post(
        "/", {"email": owner_a.email, "password": "correct-horse-battery"}, follow=False
    )
    assert response.status_code == 302
    choose = client.get(response["Location"])
    assert choose.status_code == 302 and "alpha.localhost" in choose["Location"]


def test_person_with_two_businesses_picks_one(tenant_a, tenant_b):
    user = make_member(tenant_a, Role.OWNER, email="two@hats.test")
    make_member(tenant_b, Role.VIEWER, email="two@hats.test")
    client = client_for(None, user)
    page = client.get("/businesses/")
    assert page.status_code == 200
    assert b"Alpha Studio" in page.content and b"Beta Works" in page.content
    go = client.get("/businesses/beta/")
    assert go.status_code == 302 and "beta.localhost" in go["Location"]


def test_owner_revokes_an_invitation_and_its_link_stops_working(
    tenant_a, owner_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=owner_a, business=tenant_a, email="maybe@person.test", role=Role.VIEWER
        )
    invitation = Invitation.objects.get(email="maybe@person.test")
    web = client_for(tenant_a, owner_a)
    assert b"invitation-revoke" in web.get("/team/").content
    assert web.post(f"/team/invitations/{invitation.pk}/revoke/").status_code == 302
    response = client_for(None).get(invitation_link_from_mail("maybe@person.test"))
    assert response.status_code == 410 and b"not valid" in response.content
    assert AuditEvent.objects.filter(action="invitation.revoked", business=tenant_a).exists()
    bookkeeper = make_member(tenant_a, Role.BOOKKEEPER)
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(actor=bookkeeper, invitation=invitation)


def test_digest_preference_changes_are_audited(tenant_a, owner_a):
    membership = Membership.objects.get(user=owner_a, business=tenant_a)
    services.membership_digest_set(actor=owner_a, membership=membership, receives=False)
    services.membership_digest_set(actor=owner_a, membership=membership, receives=False)  # no-op
    membership.refresh_from_db()
    assert membership.receives_digest is False
    events = AuditEvent.objects.filter(action="membership.digest", business=tenant_a)
    assert events.count() == 1 and events.get().after == {"receives_digest": False}
