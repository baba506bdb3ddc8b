"""Self-service sign-up of an accounting firm (docs/firm.md), on the business sign-up's terms
(apps/accounts/signup.py): it never tests a password and never tells whether an email has an
account — every well-formed request gets "check your email"; a new address gets a signed,
expiring link and only following it creates the firm (with the signer as its partner); an
address that already has an account gets the same notice as the business sign-up."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.accounts.firm_access import firm_create
from apps.accounts.models import Firm, User
from apps.accounts.services import InvalidSignup, password_check
from apps.accounts.signup import _normalise_email, _send_existing_notice
from apps.core.services.audit import audit_record
from apps.tenancy.services import timezone_validate
from apps.tenancy.urls import public_url

VERIFY_SALT = "oodaloo.firm-signup-verify"
FIRM_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


def firm_slug_validate(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not FIRM_SLUG.match(slug):
        raise InvalidSignup("The firm's short name takes 2–40 lowercase letters, digits or "
                            "hyphens.")
    if Firm.objects.filter(slug=slug).exists():
        raise InvalidSignup(f"“{slug}” is already taken. Please choose another short name.")
    return slug


def _firm_fields(slug: str, name: str, timezone_name: str) -> tuple[str, str]:
    slug = firm_slug_validate(slug)
    name = (name or "").strip()
    if not name:
        raise InvalidSignup("Please give the firm a name.")
    timezone_validate(timezone_name)
    return slug, name


def firm_signup_request(*, email: str, password: str, firm_slug: str, firm_name: str,
                        timezone_name: str = "America/New_York") -> None:
    """The same checks whoever the email belongs to, then a link (new address) or a notice."""
    email = _normalise_email(email)
    slug, name = _firm_fields(firm_slug, firm_name, timezone_name)
    password_check(password)
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        make_password(password)  # the same hashing time as a new account: no timing oracle
        audit_record(actor=None, action="firm_signup.existing_email", obj=existing,
                     after={"email": email})
        transaction.on_commit(lambda: _send_existing_notice(email))
        return
    with transaction.atomic():
        user = User.objects.create_user(email, password, email_verified_at=None)
        audit_record(actor=user, action="firm_signup.requested", obj=user,
                     after={"email": email, "firm": slug})
    token = signing.dumps({"u": user.pk, "f": slug, "n": name[:200], "tz": timezone_name},
                          salt=VERIFY_SALT)
    transaction.on_commit(lambda: _send_verification(email, name, token))


def _send_verification(email: str, name: str, token: str) -> None:
    hours = int(settings.SIGNUP_VERIFY_MAX_AGE.total_seconds() // 3600)
    send_mail(
        "Confirm your email to create your firm on Oodaloo",
        f"Someone (we hope you) signed up for Oodaloo with this address to create the "
        f"accounting firm “{name}”.\n\nConfirm and create it: "
        f"{public_url(f'/signup/firm/verify/{token}/')}\n\nThe link expires in {hours} hours. "
        "If this wasn't you, ignore this email: nothing is created until the link is followed.",
        settings.ACCOUNTS_FROM_EMAIL, [email],
    )


def firm_signup_token_read(token: str) -> dict:
    try:
        data = signing.loads(token, salt=VERIFY_SALT,
                             max_age=settings.SIGNUP_VERIFY_MAX_AGE.total_seconds())
    except signing.SignatureExpired as exc:
        raise InvalidSignup("This link has expired. Please sign up again.") from exc
    except signing.BadSignature as exc:
        raise InvalidSignup("This link is not valid.") from exc
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise InvalidSignup("This link is not valid.")
    if user.is_email_verified:
        raise InvalidSignup("This email is already confirmed. Please sign in.")
    return {**data, "user": user}


def firm_signup_verify(*, token: str, slug: str | None = None) -> tuple[User, Firm]:
    """Follow the emailed link: mark the address verified and only now create the firm, with
    its signer as partner. `slug` lets them pick another short name if theirs was taken."""
    data = firm_signup_token_read(token)
    slug = firm_slug_validate(slug or data["f"])
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=data["user"].pk)
        if locked.is_email_verified:  # two clicks at once: the second one loses cleanly
            raise InvalidSignup("This email is already confirmed. Please sign in.")
        locked.email_verified_at = timezone.now()
        locked.save(update_fields=["email_verified_at"])
        audit_record(actor=locked, action="firm_signup.verified", obj=locked,
                     after={"email": locked.email, "firm": slug})
        firm = firm_create(actor=locked, slug=slug, name=data["n"], timezone_name=data["tz"])
    return locked, firm


def firm_create_for(*, user: User, firm_slug: str, firm_name: str, timezone_name: str) -> Firm:
    """A signed-in person with a verified address creates a firm (they become its partner)."""
    if not user.is_email_verified:
        raise InvalidSignup("Please confirm your email address first.")
    slug, name = _firm_fields(firm_slug, firm_name, timezone_name)
    return firm_create(actor=user, slug=slug, name=name, timezone_name=timezone_name)
