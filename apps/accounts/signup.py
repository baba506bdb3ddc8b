"""Self-service sign-up. It never tests a password and never tells whether an email has an
account: every well-formed request gets the same answer ("check your email"), and what arrives
in the mailbox differs instead. A new address gets a signed, expiring link; only following it
creates the business (its Postgres schema). An address that already has an account gets a
notice ("someone tried to sign up with your address; sign in or reset your password")."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.services import InvalidSignup, membership_add, password_check
from apps.core.services.audit import audit_record
from apps.tenancy.models import Business
from apps.tenancy.services import business_provision, slug_validate, timezone_validate
from apps.tenancy.urls import public_url

VERIFY_SALT = "oodaloo.signup-verify"


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise InvalidSignup("Please enter a valid email address.")
    return email


def signup_request(
    *, email: str, password: str, business_slug: str, business_name: str,
    timezone_name: str = "America/New_York", next_path: str = "",
) -> None:
    """Check the form's own values (the same checks whoever the email belongs to), then mail
    either a verification link (new address) or a notice (existing account)."""
    email = _normalise_email(email)
    slug = slug_validate(business_slug, fresh_schema=True)
    name = (business_name or "").strip()
    if not name:
        raise InvalidSignup("Please give the business a name.")
    timezone_validate(timezone_name)
    password_check(password)
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        make_password(password)  # the same hashing time as a new account: no timing oracle
        audit_record(actor=None, action="signup.existing_email", obj=existing,
                     after={"email": email})
        transaction.on_commit(lambda: _send_existing_notice(email))
        return
    with transaction.atomic():
        user = User.objects.create_user(email, password, email_verified_at=None)
        audit_record(actor=user, action="signup.requested", obj=user,
                     after={"email": email, "slug": slug})
    # `nx`: where to continue after signing in (e.g. the QuickBooks launch URL).
    token = signing.dumps({"u": user.pk, "s": slug, "n": name[:200], "tz": timezone_name,
                           "nx": next_path}, salt=VERIFY_SALT)
    transaction.on_commit(lambda: _send_verification(email, name, token))


def _send_verification(email: str, name: str, token: str) -> None:
    hours = int(settings.SIGNUP_VERIFY_MAX_AGE.total_seconds() // 3600)
    link = public_url(f"/signup/verify/{token}/")
    send_mail(
        "Confirm your email to create your business on Oodaloo",
        f"Someone (we hope you) signed up for Oodaloo with this address to create "
        f"“{name}”.\n\nConfirm and create it: {link}\n\nThe link expires in {hours} hours. "
        "If this wasn't you, ignore this email: nothing is created until the link is followed.",
        settings.ACCOUNTS_FROM_EMAIL,
        [email],
    )


def _send_existing_notice(email: str) -> None:
    send_mail(
        "Someone tried to sign up to Oodaloo with your address",
        "Someone (perhaps you) just tried to create an Oodaloo account with this address, "
        "which already has one. Nothing was changed.\n\n"
        f"If it was you, sign in: {public_url('/login/')}\n"
        "(a signed-in owner can create another business from the businesses page),\n"
        f"or reset your password: {public_url('/password/reset/')}\n\n"
        "If it wasn't you, you can ignore this email.",
        settings.ACCOUNTS_FROM_EMAIL,
        [email],
    )


def signup_token_read(token: str) -> dict:
    try:
        data = signing.loads(
            token, salt=VERIFY_SALT, max_age=settings.SIGNUP_VERIFY_MAX_AGE.total_seconds()
        )
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


def signup_verify(*, token: str, slug: str | None = None) -> tuple[User, Business]:
    """Follow the emailed link: mark the address verified and only now provision the business.
    `slug` lets the person pick another address if theirs was taken meanwhile."""
    data = signup_token_read(token)
    user = data["user"]
    business = business_provision(
        slug=slug or data["s"], name=data["n"], timezone=data["tz"], fresh_schema=True
    )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_email_verified:  # two clicks at once: the second one loses cleanly
            business.delete(force_drop=True)
            raise InvalidSignup("This email is already confirmed. Please sign in.")
        locked.email_verified_at = timezone.now()
        locked.save(update_fields=["email_verified_at"])
        audit_record(actor=locked, action="signup.verified", business=business, obj=locked,
                     after={"email": locked.email, "business": business.slug})
        membership_add(actor=locked, business=business, user=locked, role=Role.OWNER)
    return locked, business


def business_create_for(
    *, user: User, business_slug: str, business_name: str, timezone_name: str
) -> Business:
    """A signed-in person with a verified address creates another business."""
    if not user.is_email_verified:
        raise InvalidSignup("Please confirm your email address first.")
    business = business_provision(
        slug=business_slug, name=business_name, timezone=timezone_name, fresh_schema=True
    )
    with transaction.atomic():
        membership_add(actor=user, business=business, user=user, role=Role.OWNER)
    return business


def email_verified_mark(user: User) -> None:
    """A completed password reset proves the address too."""
    if not user.is_email_verified:
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        user.email_verified_at = timezone.now()

