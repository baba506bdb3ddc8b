"""Account emails (password reset, sign-up confirmation and notice, invitations) come from the
account sender (ACCOUNTS_FROM_EMAIL), never the digest's address (DEFAULT_FROM_EMAIL)."""

import pytest
from django.core import mail

from apps.accounts import services
from apps.accounts.models import Role
from tests.utils import client_for

SENDER = "Oodaloo Accounts <accounts@sender.test>"


@pytest.fixture
def sender(settings):
    settings.ACCOUNTS_FROM_EMAIL = SENDER
    return SENDER


def test_the_default_account_sender_is_not_the_digest_address(settings):
    assert "accounts@" in settings.ACCOUNTS_FROM_EMAIL
    assert settings.ACCOUNTS_FROM_EMAIL != settings.DEFAULT_FROM_EMAIL


def test_password_reset_and_sign_up_mail_come_from_the_account_sender(
        tenant_a, owner_a, sender, django_capture_on_commit_callbacks):
    client = client_for(None)
    client.post("/password/reset/", {"email": owner_a.email})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/signup/", {"business_name": "Epsilon", "slug": "epsilon",
                                 "timezone": "America/Chicago", "email": "new@epsilon.test",
                                 "password": "a-long-password-1"})
        client.post("/signup/", {"business_name": "Again", "slug": "again",
                                 "timezone": "America/Chicago", "email": owner_a.email,
                                 "password": "a-long-password-1"})
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(mail.outbox) == 3, subjects
    assert any("reset" in s.lower() for s in subjects)
    assert [m.from_email for m in mail.outbox] == [sender] * 3


def test_invitations_come_from_the_account_sender(
        tenant_a, owner_a, sender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(actor=owner_a, business=tenant_a, email="new@person.test",
                                   role=Role.BOOKKEEPER)
    (message,) = mail.outbox
    assert message.from_email == sender and "digest@" not in message.from_email
