"""An invitation's link proves that whoever opens it owns the invited address (accepting it for
a new address creates that account, verified). So it goes to that address only: the inviter's
team page, the firm console and the API say whom they invited and never show the link, or else
an owner could invite bob@elsewhere and make Bob's account with a password of their own."""

import pytest

from apps.accounts.models import Role
from apps.core.models import AuditEvent
from tests.firm.helpers import make_firm
from tests.utils import client_for, invitation_link_from_mail

pytestmark = pytest.mark.django_db


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _nowhere_but_the_mail(token: str, *pages) -> None:
    for page in pages:
        assert token.encode() not in page.content
    for event in AuditEvent.objects.all():
        assert token not in str(event.before) + str(event.after)


def test_the_portal_team_page_says_whom_it_invited_and_never_shows_the_link(
        tenant_a, owner_a, django_capture_on_commit_callbacks):
    owner = client_for(tenant_a, owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        sent = owner.post("/team/invite/", {"email": "Bob@Other.test", "role": Role.VIEWER},
                          follow=True)
    link = invitation_link_from_mail("bob@other.test")
    _nowhere_but_the_mail(_token(link), sent, owner.get("/team/"))
    assert _token(link) not in str(dict(owner.session.items()))
    assert b"Invitation sent to bob@other.test." in sent.content
    assert client_for(None).get(link).status_code == 200  # the emailed link works


def test_the_api_answers_an_invitation_with_its_facts_not_its_link(
        tenant_a, owner_a, django_capture_on_commit_callbacks):
    owner = client_for(tenant_a, owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        invited = owner.post("/api/v1/team/invitations/",
                             {"email": "bob@other.test", "role": "viewer"},
                             content_type="application/json")
    assert invited.status_code == 201
    token = _token(invitation_link_from_mail("bob@other.test"))
    _nowhere_but_the_mail(token, invited, owner.get("/api/v1/team/"))
    body = invited.json()
    assert set(body) == {"id", "email", "role", "expires_at"}
    assert (body["email"], body["role"]) == ("bob@other.test", "viewer")


def test_the_firm_console_says_whom_it_invited_and_never_shows_the_link(
        db, django_capture_on_commit_callbacks):
    firm, partner = make_firm()
    console = client_for(None, partner)
    with django_capture_on_commit_callbacks(execute=True):
        sent = console.post(f"/firm/{firm.slug}/team/invite/",
                            {"email": "kim@other.test", "role": "staff"}, follow=True)
        created = console.post(f"/firm/{firm.slug}/clients/new/",
                               {"name": "Gamma Goods", "slug": "gamma-goods",
                                "owner_email": "Gia@Gamma.test"}, follow=True)
    member_link = invitation_link_from_mail("kim@other.test")
    owner_link = invitation_link_from_mail("gia@gamma.test")
    page = console.get(f"/firm/{firm.slug}/team/")
    for link in (member_link, owner_link):
        _nowhere_but_the_mail(_token(link), sent, created, page)
        assert _token(link) not in str(dict(console.session.items()))
    assert b"Invitation sent to kim@other.test." in sent.content
    assert b"Client created; invitation sent to gia@gamma.test." in created.content
    assert member_link.startswith("/firm/invite/") and owner_link.startswith("/invite/")
    assert client_for(None).get(owner_link).status_code == 200  # the emailed link works
