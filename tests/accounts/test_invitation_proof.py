"""An invitation to an address that already has an account: the link alone does not join the
account, which accepts only as it signs in (apps/accounts/invitation_proof.py)."""

import pytest
from django.test import Client, TestCase
from django_otp.oath import totp

from apps.accounts import services
from apps.accounts.models import Membership, Role
from apps.core.models import AuditEvent
from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD, TOTPDeviceFactory
from tests.utils import client_for, invitation_link_from_mail


def _invite(owner, business, email):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the email goes out on commit
        services.invitation_create(actor=owner, business=business, email=email,
                                   role=Role.BOOKKEEPER)
    return invitation_link_from_mail(email)


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _joined(user, business) -> bool:
    return Membership.objects.filter(user=user, business=business).exists()


def test_password_guesses_on_the_invitation_page_are_counted_and_locked(tenant_a, owner_a):
    victim = UserFactory(email="victim@corp.test")
    path = _invite(owner_a, tenant_a, victim.email)  # say, a forwarded invitation
    statuses = []
    for i in range(5):  # each from another address: the email ties them together
        guess = Client(HTTP_HOST="localhost", REMOTE_ADDR=f"10.0.2.{i + 1}").post(
            path, {"password": f"guess-number-{i}"})
        statuses.append(guess.status_code)
        assert guess.status_code == 429 or b"use its password" in guess.content
    assert statuses == [200, 200, 200, 200, 429]  # the fifth wrong one locks
    right = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.0.3.1").post(
        path, {"password": PASSWORD})
    assert right.status_code == 429  # locked, as on the sign-in page
    assert not _joined(victim, tenant_a)
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.count() >= 5 and failures.first().after["email"] == victim.email


def test_the_right_password_of_an_account_without_two_step_accepts(tenant_a, owner_a):
    person = UserFactory(email="person@corp.test")
    response = client_for(None).post(_invite(owner_a, tenant_a, person.email),
                                     {"password": PASSWORD})
    assert response.status_code == 302 and _joined(person, tenant_a)


def test_an_account_with_two_step_signs_in_with_its_code_before_accepting(tenant_a, owner_a):
    person = UserFactory(email="careful@corp.test")
    device = TOTPDeviceFactory(user=person)
    path = _invite(owner_a, tenant_a, person.email)
    browser = client_for(None)
    page = browser.get(path)
    assert b"invite-sign-in-first" in page.content and b'name="password"' not in page.content
    refused = browser.post(path, {"password": PASSWORD})  # the password alone is not enough
    assert b"sign in first" in refused.content and not _joined(person, tenant_a)
    assert "_auth_user_id" not in browser.session

    step_one = browser.post("/login/", {"email": person.email, "password": PASSWORD,
                                        "next": path})
    assert step_one["Location"] == "/login/code/"
    assert browser.post("/login/code/", {"code": _code(device)})["Location"] == path
    page = browser.get(path)
    assert b"You are signed in as careful@corp.test" in page.content
    accepted = browser.post(path, {})
    assert accepted.status_code == 302 and _joined(person, tenant_a)


def test_signed_in_as_someone_else_accepts_nothing(tenant_a, owner_a):
    person = UserFactory(email="someone@corp.test")
    refused = client_for(None, owner_a).post(_invite(owner_a, tenant_a, person.email),
                                             {"password": PASSWORD})
    assert b"Sign out, then open the link again" in refused.content
    assert not _joined(person, tenant_a)


def test_the_service_never_takes_an_existing_account_unproven(tenant_a, owner_a):
    person = UserFactory(email="unproven@corp.test")
    token = _invite(owner_a, tenant_a, person.email).split("/")[2]
    with pytest.raises(services.InvalidInvitation, match="sign in as it"):
        services.invitation_accept(token=token, password=PASSWORD)
    assert not _joined(person, tenant_a)
