"""Sign-up never tests a password, answers an existing email like a new one, verifies the
address before a schema is made, refuses system schema names, and is throttled."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_exists

from apps.accounts.models import Membership, User
from apps.core.models import AuditEvent
from apps.tenancy.models import Business
from tests.factories import make_member
from tests.utils import client_for


def _form(email, slug="epsilon", password="a-long-password-1", **extra):
    return {"business_name": "Epsilon", "slug": slug, "timezone": "America/Chicago",
            "email": email, "password": password, **extra}


def _link(message) -> str:
    return re.search(r"http://localhost:8000(/signup/verify/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Emails leave on commit; run those callbacks as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_new_email_gets_a_link_and_nothing_is_provisioned_until_it_is_followed(db, commits):
    client = client_for(None)
    with commits():
        response = client.post("/signup/", _form("founder@epsilon.test"))
    assert response.status_code == 200 and b"Check your email" in response.content
    user = User.objects.get(email="founder@epsilon.test")
    assert user.email_verified_at is None
    assert not Business.objects.filter(slug="epsilon").exists() and not schema_exists("epsilon")
    assert "_auth_user_id" not in client.session  # sign-up never signs anybody in
    (message,) = mail.outbox
    link = _link(message)

    # An unverified person cannot sign in yet, even with the right password.
    early = client.post("/login/", {"email": user.email, "password": "a-long-password-1"})
    assert early.status_code == 400 and b"confirm your email" in early.content

    page = client.get(link)  # mail scanners GET links: that must create nothing
    assert page.status_code == 200 and not schema_exists("epsilon")
    done = client.post(link, {"slug": "epsilon"})
    assert done.status_code == 302 and done["Location"] == "/"  # the sign-in page
    business = Business.objects.get(slug="epsilon")
    assert schema_exists("epsilon")
    assert Membership.objects.get(user=user, business=business).role == "owner"
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert AuditEvent.objects.filter(action="signup.verified", actor=user).exists()

    again = Client(HTTP_HOST="localhost").post(link, {"slug": "epsilon-two"})
    assert again.status_code == 410 and not Business.objects.filter(slug="epsilon-two").exists()

    signed_in = client.post("/login/", {"email": user.email, "password": "a-long-password-1"})
    assert signed_in.status_code == 302
    handoff = client.get(signed_in["Location"])
    assert handoff["Location"].startswith("http://epsilon.localhost:8000/auth/handoff/")
    connection.set_schema_to_public()
    business.delete(force_drop=True)


@pytest.mark.parametrize("password", ["correct-horse-battery", "a-wrong-password-9"])
def test_existing_email_gets_the_same_answer_and_a_notice_never_a_session(
    tenant_a, password, commits
):
    owner = make_member(tenant_a, email="owner@alpha.test")
    before_businesses = Business.objects.count()
    client = client_for(None)
    with commits():
        existing = client.post("/signup/", _form(owner.email, slug="takeover", password=password))
    fresh = client_for(None).post("/signup/", _form("nobody@new.test", slug="takeover"))
    assert existing.status_code == fresh.status_code == 200
    assert existing.content.replace(owner.email.encode(), b"@") == fresh.content.replace(
        b"nobody@new.test", b"@"
    )
    assert "_auth_user_id" not in client.session
    assert Business.objects.count() == before_businesses  # nothing provisioned for anybody
    notice = next(m for m in mail.outbox if m.to == [owner.email])
    assert "tried to create an Oodaloo account" in notice.body and "/password/reset/" in notice.body
    assert "/signup/verify/" not in notice.body
    owner.refresh_from_db()
    assert owner.check_password("correct-horse-battery")  # nothing about the account changed
    assert AuditEvent.objects.filter(action="signup.existing_email", object_id=str(owner.pk),
                                     actor=None).exists()


@pytest.mark.parametrize("slug", ["information-schema", "pg-toast", "tenant-base", "new"])
def test_system_and_existing_schema_names_are_refused(db, slug):
    response = client_for(None).post("/signup/", _form(f"x-{slug}@x.test", slug=slug))
    assert response.status_code == 400 and b"reserved" in response.content
    assert not User.objects.filter(email=f"x-{slug}@x.test").exists()


def test_a_leftover_schema_is_never_reused(db):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS leftover_co")
    try:
        response = client_for(None).post("/signup/", _form("a@leftover.test", slug="leftover-co"))
        assert response.status_code == 400 and b"reserved" in response.content
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA leftover_co")


def test_signup_is_throttled_per_address_and_per_email(db, settings):
    settings.SIGNUP_LIMIT_PER_IP = 3
    client = client_for(None)
    answers = [client.post("/signup/", _form(f"p{i}@spray.test", slug="x")).status_code
               for i in range(5)]
    assert answers[:3] == [400, 400, 400] and answers[3:] == [429, 429]
    other_ip = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.9.9.9")
    settings.SIGNUP_LIMIT_PER_EMAIL = 2
    per_email = [other_ip.post("/signup/", _form("same@spray.test", slug="x")).status_code
                 for _ in range(3)]
    assert per_email == [400, 400, 429]


def test_expired_or_forged_links_create_nothing(db, settings, commits):
    client = client_for(None)
    with commits():
        client.post("/signup/", _form("late@epsilon.test", slug="late-co"))
    link = _link(mail.outbox[0])
    forged = client.post(link.replace("/signup/verify/", "/signup/verify/x"), {"slug": "late-co"})
    assert forged.status_code == 410
    settings.SIGNUP_VERIFY_MAX_AGE = timedelta(seconds=-1)
    expired = client.post(link, {"slug": "late-co"})
    assert expired.status_code == 410 and b"expired" in expired.content
    assert not schema_exists("late_co")


def test_a_verified_owner_creates_another_business_when_signed_in(tenant_a, owner_a):
    client = client_for(None, owner_a)
    response = client.post("/businesses/new/", {"business_name": "Zeta", "slug": "zeta-co",
                                                "timezone": "America/Chicago"})
    assert response.status_code == 302
    assert response["Location"].startswith("http://zeta-co.localhost:8000/auth/handoff/")
    business = Business.objects.get(slug="zeta-co")
    assert Membership.objects.get(user=owner_a, business=business).role == "owner"
    business.delete(force_drop=True)
    assert client_for(None).post("/businesses/new/", {}).status_code == 302  # anonymous: sign in


def test_signing_up_from_the_quickbooks_launch_url_comes_back_to_it(db, commits):
    client = client_for(None)
    form = client.get("/signup/?next=/connect/qbo/launch/").content.decode()
    assert 'name="next" value="/connect/qbo/launch/"' in form
    with commits():
        client.post("/signup/", {**_form("launch@epsilon.test", slug="launch-co"),
                                 "next": "/connect/qbo/launch/"})
    done = client.post(_link(mail.outbox[0]), {"slug": "launch-co"})
    assert done["Location"] == "/login/?next=%2Fconnect%2Fqbo%2Flaunch%2F"
    connection.set_schema_to_public()
    Business.objects.get(slug="launch-co").delete(force_drop=True)
