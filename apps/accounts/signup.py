"""Self-service sign-up. It never tests a password and never tells whether an email has an
account: every well-formed request gets the same answer ("check your email"), and what arrives
in the mailbox differs instead. A new address gets a signed, expiring link; only following it
creates the business (its Postgres schema). An address that already has an account gets a
notice ("someone tried to sign up with your address; sign in or reset your password")."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import InvalidSignup, membership_add, password_check
from apps.accounts.signup_flow import (
    BUSINESS_SIGNUP,
    email_verified_claim,
    normalise_email,
    signup_account_request,
    signup_token_read,
)
from apps.core.services.audit import audit_record
from apps.tenancy.models import Business
from apps.tenancy.services import business_provision, slug_validate, timezone_validate


def signup_request(
    *, email: str, password: str, business_slug: str, business_name: str,
    timezone_name: str = "America/New_York", next_path: str = "",
) -> None:
    """Check the form's own values (the same checks whoever the email belongs to), then mail
    either a verification link (new address) or a notice (existing account)."""
    email = normalise_email(email)
    slug = slug_validate(business_slug, fresh_schema=True)
    name = (business_name or "").strip()
    if not name:
        raise InvalidSignup("Please give the business a name.")
    timezone_validate(timezone_name)
    password_check(password)
    # `nx`: where to continue after signing in (e.g. the QuickBooks launch URL).
    signup_account_request(BUSINESS_SIGNUP, email=email, password=password, slug=slug, name=name,
                           timezone_name=timezone_name, created=f"“{name}”",
                           extra={"nx": next_path})


def signup_verify(*, token: str, slug: str | None = None) -> tuple[User, Business]:
    """Follow the emailed link: mark the address verified and only now provision the business.
    `slug` lets the person pick another address if theirs was taken meanwhile.

    One transaction: the claim first (a second tab waits for the first, then loses cleanly with
    nothing provisioned), then the business and its owner. Any failure leaves no business
    holding the slug, and the same link works again."""
    data = signup_token_read(BUSINESS_SIGNUP, token)
    with transaction.atomic():
        locked = email_verified_claim(data["user"])
        business = business_provision(
            slug=slug or data["s"], name=data["n"], timezone=data["tz"], fresh_schema=True
        )
        audit_record(actor=locked, action="signup.verified", business=business, obj=locked,
                     after={"email": locked.email, "business": business.slug})
        membership_add(actor=locked, business=business, user=locked, role=Role.OWNER)
    return locked, business


def business_create_for(
    *, user: User, business_slug: str, business_name: str, timezone_name: str
) -> Business:
    """A signed-in person with a verified address creates another business (with its owner, in
    one transaction: never a business without one)."""
    if not user.is_email_verified:
        raise InvalidSignup("Please confirm your email address first.")
    with transaction.atomic():
        business = business_provision(
            slug=business_slug, name=business_name, timezone=timezone_name, fresh_schema=True
        )
        membership_add(actor=user, business=business, user=user, role=Role.OWNER)
    return business


def email_verified_mark(user: User) -> None:
    """A completed password reset proves the address too."""
    if not user.is_email_verified:
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        user.email_verified_at = timezone.now()

