"""Firm sign-up follows the business sign-up's rules: no password test, the same answer for an
existing email, nothing created until the emailed link is followed, throttled; then the partner
signs in and lands on the firm's portfolio."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from apps.accounts.models import Firm, FirmMember, User
from apps.core.models import AuditEvent
from tests.factories import make_member
from tests.utils import client_for

PASSWORD = "a-long-password-1"


def _form(email, slug="ledgerwise", password=PASSWORD, **extra):
    return {"firm_name": "Ledgerwise CPAs", "slug": slug, "timezone": "America/Chicago",
            "email": email, "password": password, **extra}


def _link(message) -> str:
    return re.search(r"http://localhost:8000(/signup/firm/verify/[^/\s]+/)",
                     message.body).group(1)


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_partner_signs_up_confirms_signs_in_and_lands_on_the_portfolio(db, commits):
    client = client_for(None)
    assert b"Sign up your accounting firm" in client.get("/signup/firm/").content
    with commits():
        response = client.post("/signup/firm/", _form("partner@ledgerwise.test"))
    assert response.status_code == 200 and b"Check your email" in response.content
    assert b"your firm is created then" in response.content
    user = User.objects.get(email="partner@ledgerwise.test")
    assert user.email_verified_at is None and not Firm.objects.filter(slug="ledgerwise").exists()
    assert "_auth_user_id" not in client.session
    (message,) = mail.outbox
    link = _link(message)
    assert "Ledgerwise CPAs" in message.body

    early = client.post("/login/", {"email": user.email, "password": PASSWORD})
    assert early.status_code == 400  # unconfirmed: no sign-in yet

    assert client.get(link).status_code == 200  # a mail scanner's GET creates nothing
    assert not Firm.objects.filter(slug="ledgerwise").exists()
    done = client.post(link, {"slug": "ledgerwise"})
    assert done.status_code == 302 and done["Location"] == "/login/?next=%2Ffirm%2Fledgerwise%2F"
    firm = Firm.objects.get(slug="ledgerwise")
    assert (firm.name, firm.timezone) == ("Ledgerwise CPAs", "America/Chicago")
    assert FirmMember.objects.get(firm=firm, user=user).role == "partner"
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert AuditEvent.objects.filter(action="firm_signup.verified", actor=user).exists()
    assert AuditEvent.objects.filter(action="firm.created", actor=user).exists()

    assert Client(HTTP_HOST="localhost").post(link, {"slug": "other"}).status_code == 410

    signed_in = client.post("/login/", {"email": user.email, "password": PASSWORD,
                                        "next": "/firm/ledgerwise/"})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/firm/ledgerwise/"
    page = client.get(signed_in["Location"])
    assert page.status_code == 200 and b"Ledgerwise CPAs" in page.content


@pytest.mark.parametrize("password", ["correct-horse-battery", "a-wrong-password-9"])
def test_an_existing_email_gets_the_same_answer_and_a_notice(tenant_a, password, commits):
    owner = make_member(tenant_a, email="owner@alpha.test")
    client = client_for(None)
    with commits():
        existing = client.post("/signup/firm/", _form(owner.email, password=password))
    fresh = client_for(None).post("/signup/firm/", _form("nobody@new.test"))
    assert existing.status_code == fresh.status_code == 200
    assert existing.content.replace(owner.email.encode(), b"@") == fresh.content.replace(
        b"nobody@new.test", b"@")
    assert "_auth_user_id" not in client.session and not Firm.objects.exists()
    notice = next(m for m in mail.outbox if m.to == [owner.email])
    assert "tried to create an Oodaloo account" in notice.body
    assert "/signup/firm/verify/" not in notice.body
    owner.refresh_from_db()
    assert owner.check_password("correct-horse-battery")
    assert AuditEvent.objects.filter(action="firm_signup.existing_email",
                                     object_id=str(owner.pk), actor=None).exists()


def test_taken_or_malformed_short_names_are_refused_before_any_account(db):
    user = User.objects.create_user("p@taken.test", PASSWORD)
    Firm.objects.create(slug="taken", name="Taken")
    FirmMember.objects.create(firm=Firm.objects.get(slug="taken"), user=user, role="partner")
    for slug, words in (("taken", b"already taken"), ("x", b"lowercase letters")):
        response = client_for(None).post("/signup/firm/", _form(f"{slug}@n.test", slug=slug))
        assert response.status_code == 400 and words in response.content
        assert not User.objects.filter(email=f"{slug}@n.test").exists()


def test_a_short_name_taken_meanwhile_can_be_changed_on_the_confirm_page(db, commits):
    client = client_for(None)
    with commits():
        client.post("/signup/firm/", _form("late@firm.test", slug="racy"))
    link = _link(mail.outbox[0])
    Firm.objects.create(slug="racy", name="Someone else")
    clash = client.post(link, {"slug": "racy"})
    assert clash.status_code == 400 and b"already taken" in clash.content
    assert User.objects.get(email="late@firm.test").email_verified_at is None
    assert client.post(link, {"slug": "racy-two"}).status_code == 302
    assert FirmMember.objects.filter(firm__slug="racy-two", user__email="late@firm.test",
                                     role="partner").exists()


def test_firm_signup_shares_the_sign_up_throttle(db, settings):
    settings.SIGNUP_LIMIT_PER_IP = 3
    client = client_for(None)
    answers = [client.post("/signup/firm/", _form(f"p{i}@spray.test", slug="x")).status_code
               for i in range(3)]
    # The business sign-up and the firm sign-up count against the same window.
    answers.append(client.post("/signup/", {"email": "b@spray.test"}).status_code)
    assert answers == [400, 400, 400, 429]
    other_ip = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.9.9.9")
    settings.SIGNUP_LIMIT_PER_EMAIL = 2
    per_email = [other_ip.post("/signup/firm/", _form("same@spray.test", slug="x")).status_code
                 for _ in range(3)]
    assert per_email == [400, 400, 429]


def test_expired_or_forged_links_create_nothing(db, settings, commits):
    client = client_for(None)
    with commits():
        client.post("/signup/firm/", _form("late@ledger.test", slug="late-firm"))
    link = _link(mail.outbox[0])
    forged = client.post(link.replace("/verify/", "/verify/x"), {"slug": "late-firm"})
    assert forged.status_code == 410
    # A business sign-up link is not a firm one (different salt), and the reverse.
    assert client.post(link.replace("/signup/firm/verify/", "/signup/verify/"),
                       {"slug": "late-firm"}).status_code == 410
    settings.SIGNUP_VERIFY_MAX_AGE = timedelta(seconds=-1)
    expired = client.post(link, {"slug": "late-firm"})
    assert expired.status_code == 410 and b"expired" in expired.content
    assert not Firm.objects.filter(slug="late-firm").exists()


def test_a_signed_in_person_creates_a_firm_at_once(tenant_a, owner_a):
    client = client_for(None, owner_a)
    form = client.get("/signup/firm/").content
    assert b'name="password"' not in form and b'name="email"' not in form
    response = client.post("/signup/firm/", {"firm_name": "Owner & Co", "slug": "owner-co",
                                              "timezone": "Europe/London"})
    assert response.status_code == 302 and response["Location"] == "/firm/owner-co/"
    assert FirmMember.objects.get(firm__slug="owner-co", user=owner_a).role == "partner"
    assert client.get("/firm/owner-co/").status_code == 200
