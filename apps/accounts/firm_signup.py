"""Self-service sign-up of an accounting firm (docs/firm.md), on the business sign-up's terms
(apps/accounts/signup.py): it never tests a password and never tells whether an email has an
account — every well-formed request gets "check your email"; a new address gets a signed,
expiring link and only following it creates the firm (with the signer as its partner); an
address that already has an account gets the same notice as the business sign-up."""

from __future__ import annotations

import re

from django.db import transaction

from apps.accounts.firm_access import firm_create
from apps.accounts.models import Firm, User
from apps.accounts.services import InvalidSignup, password_check
from apps.accounts.signup_flow import (
    FIRM_SIGNUP,
    email_verified_claim,
    normalise_email,
    signup_account_request,
    signup_token_read,
)
from apps.core.services.audit import audit_record
from apps.tenancy.services import timezone_validate

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
    email = normalise_email(email)
    slug, name = _firm_fields(firm_slug, firm_name, timezone_name)
    password_check(password)
    signup_account_request(FIRM_SIGNUP, email=email, password=password, slug=slug, name=name,
                           timezone_name=timezone_name,
                           created=f"the accounting firm “{name}”")


def firm_signup_verify(*, token: str, slug: str | None = None) -> tuple[User, Firm]:
    """Follow the emailed link: mark the address verified and only now create the firm, with
    its signer as partner. `slug` lets them pick another short name if theirs was taken."""
    data = signup_token_read(FIRM_SIGNUP, token)
    slug = firm_slug_validate(slug or data["f"])
    with transaction.atomic():
        locked = email_verified_claim(data["user"])
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
