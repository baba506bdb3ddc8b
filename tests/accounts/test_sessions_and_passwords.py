"""Sign-out everywhere (POST only), password change and reset, optional two-step sign-in."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp

from apps.accounts import two_step
from apps.core.models import AuditEvent
from tests.utils import client_for, invitation_link_from_mail


def _signed_in(business, user):
    """A real sign-in on the public host, then the hand-off to the business host."""
    public = client_for(None)
    first = public.post("/login/", {"email": user.email, "password": "correct-horse-battery"})
    assert first.status_code == 302
    handoff = public.get(first["Location"])["Location"].split(".localhost:8000", 1)[1]
    tenant = Client(HTTP_HOST=f"{business.slug}.localhost")
    assert tenant.get(handoff).status_code == 302
    assert tenant.get("/").status_code == 200 and public.get("/account/").status_code == 200
    return public, tenant


def test_sign_out_on_a_business_host_ends_every_session_everywhere(tenant_a, owner_a):
    public, tenant = _signed_in(tenant_a, owner_a)
    other_browser = client_for(tenant_a, owner_a)
    assert tenant.get("/logout/").status_code == 405  # GET never signs out
    assert tenant.get("/").status_code == 200
    response = tenant.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert tenant.get("/")["Location"].startswith("/login/")
    assert public.get("/account/").status_code == 302  # the public-host session ended too
    assert other_browser.get("/")["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(action="auth.logout", actor=owner_a).exists()


def test_logout_needs_a_csrf_token(tenant_a, owner_a):
    client = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    client.force_login(owner_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post("/logout/").status_code == 403
    assert client.get("/").status_code == 200


def _api_token(business, email, password):
    return Client(HTTP_HOST=f"{business.slug}.localhost").post(
        "/api/v1/auth/token/", {"email": email, "password": password},
        content_type="application/json").json()


def _api_works(business, access) -> bool:
    api = Client(HTTP_HOST=f"{business.slug}.localhost", HTTP_AUTHORIZATION=f"Bearer {access}")
    return api.get("/api/v1/runway/").status_code == 200


def test_password_change_keeps_this_session_ends_the_others_and_is_audited(tenant_a, owner_a):
    public, tenant = _signed_in(tenant_a, owner_a)
    tokens = _api_token(tenant_a, owner_a.email, "correct-horse-battery")
    assert _api_works(tenant_a, tokens["access"])
    response = public.post("/password/change/", {
        "old_password": "correct-horse-battery",
        "new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase",
    })
    assert response.status_code == 302
    assert public.get("/account/").status_code == 200
    assert tenant.get("/")["Location"].startswith("/login/")
    assert not _api_works(tenant_a, tokens["access"])  # API tokens end with the sessions
    refreshed = Client(HTTP_HOST="alpha.localhost").post(
        "/api/v1/auth/refresh/", {"refresh": tokens["refresh"]}, content_type="application/json")
    assert refreshed.status_code == 401
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=owner_a).exists()


def test_password_reset_by_email_link(tenant_a, owner_a, django_capture_on_commit_callbacks):
    stolen = _api_token(tenant_a, owner_a.email, "correct-horse-battery")["access"]
    client = client_for(None)
    unknown = client.post("/password/reset/", {"email": "nobody@nowhere.test"})
    known = client.post("/password/reset/", {"email": owner_a.email})
    assert unknown.status_code == known.status_code == 302  # the same answer for both
    (message,) = mail.outbox
    link = re.search(r"http://localhost(?::\d+)?(/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and b"new password" in form.content.lower()
    done = client.post(form.redirect_chain[-1][0], {
        "new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase",
    })
    assert done.status_code == 302
    owner_a.refresh_from_db()
    assert owner_a.check_password("a-brand-new-passphrase")
    assert AuditEvent.objects.filter(action="auth.password_reset", actor=owner_a).exists()
    assert not _api_works(tenant_a, stolen)  # a reset after a leak ends the API tokens too
    assert client.get(link, follow=True).context["validlink"] is False  # works once


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_an_owner_turns_on_two_step_and_every_password_sign_in_asks_for_the_code(
    tenant_a, owner_a
):
    account = client_for(None, owner_a)
    assert account.post("/account/two-step/start/").status_code == 302
    page = account.get("/account/")
    assert b"<svg" in page.content  # the QR code, drawn here (the secret goes nowhere else)
    device = two_step.totp_pending(owner_a)
    account.post("/account/two-step/confirm/", {"code": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="auth.two_step_enabled", actor=owner_a).exists()
    # A session alone cannot swap the phone: turning off needs a current code, so does this.
    again = account.post("/account/two-step/start/", follow=True)
    assert b"already on" in again.content and two_step.totp_pending(owner_a) is None
    assert two_step.device_for(owner_a) == device
    device.last_t = -1  # the same 30-second code may be used again below
    device.save()

    for host in ("localhost", "alpha.localhost"):
        client = Client(HTTP_HOST=host)
        step_one = client.post("/login/", {"email": owner_a.email,
                                           "password": "correct-horse-battery"})
        assert step_one.status_code == 302 and step_one["Location"] == "/login/code/"
        assert "_auth_user_id" not in client.session  # not signed in by the password alone
        wrong = client.post("/login/code/", {"code": "000000"})
        assert wrong.status_code == 400 and "_auth_user_id" not in client.session
        device.refresh_from_db()
        device.throttle_reset()
        device.last_t = -1
        device.save()
        right = client.post("/login/code/", {"code": _code(device)})
        assert right.status_code == 302 and "_auth_user_id" in client.session

    api = Client(HTTP_HOST="alpha.localhost")
    no_code = api.post("/api/v1/auth/token/", {"email": owner_a.email,
                                               "password": "correct-horse-battery"},
                       content_type="application/json")
    assert no_code.status_code == 403
    device.refresh_from_db()
    device.throttle_reset()  # the missing code counted as a wrong one
    device.last_t = -1
    device.save()
    with_code = api.post("/api/v1/auth/token/", {"email": owner_a.email, "otp": _code(device),
                                                 "password": "correct-horse-battery"},
                         content_type="application/json")
    assert with_code.status_code == 200
    assert AuditEvent.objects.filter(action="api.token_issued", actor=owner_a).exists()


@pytest.mark.parametrize(("host", "path"), [
    ("localhost", "/"), ("localhost", "/admin/login/"), ("alpha.localhost", "/login/"),
    ("alpha.localhost", "/api/v1/auth/token/"),
])
def test_failed_sign_ins_are_counted_by_email_on_every_form(tenant_a, owner_a, host, path):
    field = "username" if "admin" in path else "email"
    for i in range(5):
        # Each attempt from a different address: only the email ties them together.
        Client(HTTP_HOST=host, REMOTE_ADDR=f"10.0.0.{i + 1}").post(
            path, {field: owner_a.email.upper(), "password": "wrong-password"}
        )
    locked = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.0.1.1").post(
        "/", {"email": owner_a.email, "password": "correct-horse-battery"}
    )
    assert locked.status_code == 429
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.count() >= 5 and failures.first().after["email"] == owner_a.email


def test_sessions_are_short_and_sign_out_ends_api_tokens_too(tenant_a, owner_a):
    client = client_for(None)
    response = client.post("/", {"email": owner_a.email, "password": "correct-horse-battery"})
    assert response.cookies["sessionid"]["max-age"] == 12 * 60 * 60
    token = Client(HTTP_HOST="alpha.localhost").post(
        "/api/v1/auth/token/", {"email": owner_a.email, "password": "correct-horse-battery"},
        content_type="application/json").json()["access"]
    api = Client(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/runway/").status_code == 200
    client.post("/logout/")
    assert api.get("/api/v1/runway/").status_code == 401


def test_accepting_an_invitation_verifies_an_unverified_address(
        tenant_a, owner_a, django_capture_on_commit_callbacks):
    from apps.accounts import services
    from apps.accounts.models import User

    User.objects.create_user("pending@alpha.test", "a-long-password-1", email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(actor=owner_a, business=tenant_a,
                                   email="pending@alpha.test", role="viewer")
    accepted = client_for(None).post(invitation_link_from_mail("pending@alpha.test"),
                                     {"password": "a-long-password-1"})
    assert accepted.status_code == 302
    assert User.objects.get(email="pending@alpha.test").email_verified_at is not None
