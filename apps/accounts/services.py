"""Invitations, memberships and cross-host sign-in (sign-up: `signup.py`). Every change is
audited."""

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from apps.accounts.leaving import member_left
from apps.accounts.models import Invitation, Membership, Role, User
from apps.accounts.roles import membership_require
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.services.audit import audit_record, audited_update
from apps.tenancy.models import Business
from apps.tenancy.services import business_provision
from apps.tenancy.urls import business_url, public_url

HANDOFF_SALT = "oodaloo.handoff"
HANDOFF_MAX_AGE = 60


class InvalidInvitation(ApplicationError):
    code = "invalid_invitation"


class InvalidSignup(ApplicationError):
    code = "invalid_signup"


def invitation_token_hash(token: str) -> str:
    """What an emailed invitation stores of its token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_check(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidSignup(" ".join(exc.messages)) from exc


def business_create_with_owner(
    *, slug: str, name: str, owner_email: str, timezone_name: str, password: str | None = None
) -> tuple[Business, User, str | None]:
    """`manage.py create_business`: returns the business, the owner and a new password if made."""
    owner_email = owner_email.strip().lower()
    user = User.objects.filter(email=owner_email).first()
    new_password = None
    with transaction.atomic():  # the business and its owner, or neither
        business = business_provision(slug=slug, name=name, timezone=timezone_name)
        if user is None:
            new_password = password or secrets.token_urlsafe(12)
            user = User.objects.create_user(owner_email, new_password)
        elif password:
            user.set_password(password)
            user.save(update_fields=["password"])
        membership_add(actor=None, business=business, user=user, role=Role.OWNER)
    return business, user, new_password


def membership_add(*, actor, business: Business, user: User, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, business=business, defaults={"role": role}
    )
    if created:
        audit_record(
            actor=actor,
            action="membership.added",
            business=business,
            obj=membership,
            after={"user": user.email, "role": role},
        )
    return membership


def membership_role_change(*, actor: User, membership: Membership, role: str) -> Membership:
    membership_require(actor, membership.business, Role.OWNER,
                       message="Only an owner can manage the team.")
    if role not in Role.values:
        raise ApplicationError(f"Unknown role “{role}”.")
    if role == Role.OWNER and membership.firm_id is not None:
        # The firm may take its grants back without the last-owner check: never an owner.
        raise ApplicationError("Access a firm gives stays below owner; invite the person to "
                               "be an owner instead.")
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    audited_update(actor=actor, action="membership.role_changed", business=membership.business,
                   obj=membership, field="role", value=role,
                   after={"user": membership.user.email})
    return membership


def membership_remove(*, actor: User, membership: Membership) -> None:
    membership_require(actor, membership.business, Role.OWNER,
                       message="Only an owner can manage the team.")
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="membership.removed",
            business=membership.business,
            obj=membership,
            before={"user": membership.user.email, "role": membership.role},
        )
        member_left(actor=actor, membership=membership)  # their API keys there end too
        membership.delete()


def _ensure_another_owner(membership: Membership) -> None:
    others = Membership.objects.filter(business=membership.business, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ApplicationError("A business needs at least one owner.")


def invitation_email_clean(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email:
        raise InvalidInvitation("Please enter a valid email address.")
    return email


def invitation_user(email: str, password: str, full_name: str = "", *,
                    signer: User | None = None) -> User:
    """Who accepts an invitation: a new account (the emailed link proves the address), or the
    existing one as ``signer``, proven by the page as sign-in proves it
    (`invitation_proof.invitation_signer`). Used by business and firm invitations alike."""
    user = User.objects.filter(email=email).first()
    if user is None:
        password_check(password)
        user = User.objects.create_user(email, password, full_name=full_name)
    elif signer is None or signer.pk != user.pk:
        raise InvalidInvitation("That email already has an account: sign in as it to accept.")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def invitation_create(*, actor: User, business: Business, email: str, role: str) -> Invitation:
    """Create an invitation and email its link to the invited address only: for a new account
    the link proves that address, so the inviter never sees it (nor does anything returned)."""
    membership_require(actor, business, Role.OWNER,
                       message="Only an owner can manage the team.")
    email = invitation_email_clean(email)
    if role not in Role.values:
        raise InvalidInvitation(f"Unknown role “{role}”.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        business=business,
        email=email,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    link = public_url(f"/invite/{token}/")
    audit_record(
        actor=actor,
        action="invitation.created",
        business=business,
        obj=invitation,
        after={"email": email, "role": role},
    )
    transaction.on_commit(
        lambda: send_mail(
            f"You're invited to {business.name} on Oodaloo",
            f"{actor.email} invited you to {business.name} as {role}.\n\nAccept: {link}\n"
            f"This link works once and expires in {settings.INVITATION_TTL.days} days.",
            settings.ACCOUNTS_FROM_EMAIL,
            [email],
        )
    )
    return invitation


def invitation_claim(invitation, password: str, full_name: str = "", *,
                     signer: User | None = None) -> tuple[Any, User]:
    """Inside the caller's transaction: lock a looked-up invitation (a business's or a firm's),
    refuse a used one, make (or check) its user and mark it accepted — so two clicks cannot
    both succeed. Returns the locked invitation and the user."""
    invitation = type(invitation).objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvalidInvitation("This invitation has already been used.")
    user = invitation_user(invitation.email, password, full_name, signer=signer)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return invitation, user


def invitation_find(invitations: QuerySet, token: str, *, ask: str):
    """The invitation of `token` among `invitations` (a business's or a firm's), if it may still
    be accepted: not revoked, not used, not expired; else InvalidInvitation, which says whom to
    `ask` for a new one."""
    invitation = invitations.filter(token_hash=invitation_token_hash(token)).first()
    if invitation is None or getattr(invitation, "revoked_at", None):
        raise InvalidInvitation("This invitation link is not valid.")
    if invitation.accepted_at:
        raise InvalidInvitation("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        raise InvalidInvitation(f"This invitation has expired. Ask {ask} for a new one.")
    return invitation


def invitation_lookup(token: str) -> Invitation:
    return invitation_find(Invitation.objects.select_related("business"), token,
                           ask="the owner")


def invitation_accept(*, token: str, password: str = "", full_name: str = "",
                      signer: User | None = None) -> tuple[User, Business]:
    with transaction.atomic():
        invitation, user = invitation_claim(invitation_lookup(token), password, full_name,
                                            signer=signer)
        membership = membership_add(actor=user, business=invitation.business, user=user,
                                    role=invitation.role)
        if membership.firm_id is not None:
            _firm_grant_adopt(user, membership, invitation)
    return user, invitation.business


def _firm_grant_adopt(user: User, membership: Membership, invitation: Invitation) -> None:
    """The owner invited someone a firm already lent access to: the access becomes the person's
    own, with the invited role — else the invitation would be used up and change nothing, and
    ending the firm would take the person's access with it."""
    before = {"firm": membership.firm.slug, "role": membership.role}
    membership.firm, membership.role = None, invitation.role
    membership.save(update_fields=["firm", "role"])
    audit_record(actor=user, action="membership.firm_grant_adopted",
                 business=invitation.business, obj=membership, before=before,
                 after={"role": invitation.role, "invited_by": invitation.invited_by_id})


def handoff_url(*, user: User, business: Business, next_path: str = "/") -> str:
    """Sign-in happens on the public host; this one-minute, one-time link carries it to the
    business's own host (cookies are per host)."""
    token = signing.dumps(
        {"u": user.pk, "b": business.pk, "n": secrets.token_hex(8)}, salt=HANDOFF_SALT
    )
    if not next_path.startswith("/") or next_path.startswith("//"):
        next_path = "/"
    return business_url(business, f"/auth/handoff/?token={token}&next={next_path}")


def handoff_consume(*, token: str, business: Business) -> User:
    try:
        data = signing.loads(token, salt=HANDOFF_SALT, max_age=HANDOFF_MAX_AGE)
    except signing.BadSignature as exc:
        raise PermissionDenied("This sign-in link is invalid or has expired.") from exc
    if data.get("b") != business.pk:
        raise PermissionDenied("This sign-in link is for another business.")
    # One-time: the first consumer claims the nonce.
    if not caches["default"].add(f"handoff:{data['n']}", 1, timeout=HANDOFF_MAX_AGE * 2):
        raise PermissionDenied("This sign-in link has already been used.")
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or not Membership.objects.filter(user=user, business=business).exists():
        raise PermissionDenied("You are not a member of this business.")
    return user


def businesses_for(user: User):
    return Business.objects.real().filter(memberships__user=user).order_by("name")


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    """The owner takes an invitation back; its link stops working at once."""
    membership_require(actor, invitation.business, Role.OWNER,
                       message="Only an owner can manage the team.")
    if invitation.accepted_at or invitation.revoked_at:
        raise InvalidInvitation("That invitation was already used or revoked.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="invitation.revoked", business=invitation.business, obj=invitation,
        before={"email": invitation.email, "role": invitation.role},
    )


def membership_digest_set(*, actor, membership: Membership, receives: bool | None) -> None:
    """Opt a member in or out of the Monday digest (None = the role's default). `actor` may be
    the member, or the recipient's email for a one-click unsubscribe (the signed link is the
    authority there)."""
    before = membership.receives_digest
    if before == receives:
        return
    Membership.objects.filter(pk=membership.pk).update(receives_digest=receives)
    membership.receives_digest = receives
    audit_record(
        actor=actor, action="membership.digest", business=membership.business, obj=membership,
        before={"receives_digest": before}, after={"receives_digest": receives},
    )


def sessions_end_everywhere(*, user: User) -> None:
    """Every session's auth hash includes the epoch (`User._get_session_auth_hash`), so one
    increment ends them all, on every host, at their next request."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
