"""The steps the business sign-up (signup.py) and the firm sign-up (firm_signup.py) share, so
their no-leak rules cannot drift apart: every well-formed request gets the same answer, an
address that already has an account gets a notice (after the same hashing time as a new
account), a new address gets a signed, expiring link, and only following it verifies the
address."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import InvalidSignup
from apps.core.services.audit import audit_record
from apps.tenancy.urls import public_url

ALREADY_CONFIRMED = "This email is already confirmed. Please sign in."


@dataclass(frozen=True)
class SignupKind:
    """What one sign-up creates, and the names its links and audit rows use for it."""

    what: str  # "business" or "firm", as the mail's subject says it
    audit_prefix: str  # <prefix>.existing_email, <prefix>.requested
    audit_slug_key: str
    salt: str
    verify_path: str  # the link's path, before the token
    slug_key: str  # the slug's key in the link's data


BUSINESS_SIGNUP = SignupKind("business", "signup", "slug", "oodaloo.signup-verify",
                             "/signup/verify/", "s")
FIRM_SIGNUP = SignupKind("firm", "firm_signup", "firm", "oodaloo.firm-signup-verify",
                         "/signup/firm/verify/", "f")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise InvalidSignup("Please enter a valid email address.")
    return email


def signup_account_request(
    kind: SignupKind, *, email: str, password: str, slug: str, name: str, timezone_name: str,
    created: str, extra: dict | None = None,
) -> None:
    """After the caller's own checks of the form: mail a notice to an address that already has
    an account, else create the (unverified) user and mail it the link. `created`: how the mail
    names what the link creates; `extra`: more data for the link."""
    existing = User.objects.filter(email=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, password, email_verified_at=None)
                audit_record(actor=user, action=f"{kind.audit_prefix}.requested", obj=user,
                             after={"email": email, kind.audit_slug_key: slug})
        except IntegrityError:
            # The same address signed up in another request at this very moment, which made
            # the account: from here on it is an address that has one (same answer, a notice).
            existing = User.objects.get(email=email)
        else:
            token = signing.dumps({"u": user.pk, kind.slug_key: slug, "n": name[:200],
                                   "tz": timezone_name, **(extra or {})}, salt=kind.salt)
            transaction.on_commit(lambda: _send_verification(email, kind, created, token))
            return
    else:
        make_password(password)  # the same hashing time as a new account: no timing oracle
    audit_record(actor=None, action=f"{kind.audit_prefix}.existing_email", obj=existing,
                 after={"email": email})
    transaction.on_commit(lambda: send_existing_notice(email))


def _send_verification(email: str, kind: SignupKind, created: str, token: str) -> None:
    hours = int(settings.SIGNUP_VERIFY_MAX_AGE.total_seconds() // 3600)
    send_mail(
        f"Confirm your email to create your {kind.what} on Oodaloo",
        f"Someone (we hope you) signed up for Oodaloo with this address to create "
        f"{created}.\n\nConfirm and create it: {public_url(f'{kind.verify_path}{token}/')}\n\n"
        f"The link expires in {hours} hours. "
        "If this wasn't you, ignore this email: nothing is created until the link is followed.",
        settings.ACCOUNTS_FROM_EMAIL,
        [email],
    )


def send_existing_notice(email: str) -> None:
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


def signup_token_read(kind: SignupKind, token: str) -> dict:
    """The link's data plus its still-unverified `user`, or InvalidSignup."""
    try:
        data = signing.loads(
            token, salt=kind.salt, max_age=settings.SIGNUP_VERIFY_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as exc:
        raise InvalidSignup("This link has expired. Please sign up again.") from exc
    except signing.BadSignature as exc:
        raise InvalidSignup("This link is not valid.") from exc
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise InvalidSignup("This link is not valid.")
    if user.is_email_verified:
        raise InvalidSignup(ALREADY_CONFIRMED)
    return {**data, "user": user}


def email_verified_claim(user: User) -> User:
    """Inside the caller's transaction: lock the user and mark the address verified, once.
    Two clicks at once: the second one loses cleanly with InvalidSignup."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_email_verified:
        raise InvalidSignup(ALREADY_CONFIRMED)
    locked.email_verified_at = timezone.now()
    locked.save(update_fields=["email_verified_at"])
    return locked
