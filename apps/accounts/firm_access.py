"""Accounting firms: their people, the client businesses they serve, and who may see which.

A firm member's access to a client is an ordinary ``Membership`` (with ``firm`` set), so the
portal's one access check (``MembershipMiddleware``) covers firm people too and a revoked grant
stops working on the next request. Grants are given and taken back by the firm's partners; the
client's owner sees them in team settings and can revoke any of them, or end the firm's access
to the business altogether. Every change is audited (on the client business when there is one).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.leaving import member_left
from apps.accounts.models import (
    Firm,
    FirmClient,
    FirmInvitation,
    FirmMember,
    FirmRole,
    Invitation,
    Membership,
    Role,
    User,
)
from apps.accounts.services import (
    InvalidInvitation,
    invitation_claim,
    invitation_email_clean,
    invitation_find,
    invitation_token_hash,
)
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.services.audit import audit_record
from apps.tenancy.models import Business
from apps.tenancy.services import business_provision, slug_validate, timezone_validate
from apps.tenancy.urls import public_url

# What a partner may grant: the client's owner stays the only owner.
GRANTABLE_ROLES = (Role.BOOKKEEPER, Role.VIEWER)


class FirmError(ApplicationError):
    code = "firm_error"


def _is_partner(user: User, firm: Firm) -> bool:
    return FirmMember.objects.filter(firm=firm, user=user, role=FirmRole.PARTNER).exists()


def _require_partner(actor: User, firm: Firm) -> None:
    if not _is_partner(actor, firm):
        raise PermissionDenied("Only a partner of the firm can do that.")


def _is_owner(user: User, business: Business) -> bool:
    return Membership.objects.filter(user=user, business=business, role=Role.OWNER).exists()


def firms_for(user: User):
    return Firm.objects.filter(members__user=user).order_by("name")


def firm_create(*, actor: User, slug: str, name: str, timezone_name: str = "America/New_York"
                ) -> Firm:
    """A new firm with ``actor`` as its first partner (`manage.py create_firm`)."""
    slug = (slug or "").strip().lower()
    if not slug or Firm.objects.filter(slug=slug).exists():
        raise FirmError(f"“{slug}” is empty or already taken.")
    timezone_validate(timezone_name)  # the Monday digest runs on the firm's local clock
    try:
        with transaction.atomic():
            firm = Firm.objects.create(slug=slug, name=name.strip() or slug,
                                       timezone=timezone_name)
            FirmMember.objects.create(firm=firm, user=actor, role=FirmRole.PARTNER)
            audit_record(actor=actor, action="firm.created", obj=firm,
                         after={"slug": slug, "partner": actor.email})
    except IntegrityError:
        if Firm.objects.filter(slug=slug).exists():  # taken since the check: a twin sign-up
            raise FirmError(f"“{slug}” is empty or already taken.") from None
        raise
    return firm


# --- the firm's people --------------------------------------------------------------------------


def firm_invitation_create(*, actor: User, firm: Firm, email: str, role: str
                           ) -> FirmInvitation:
    """Email a link that makes its acceptor a member of the firm, to the invited address only
    (the link proves the address: see `invitation_create`)."""
    _require_partner(actor, firm)
    email = invitation_email_clean(email)
    if role not in FirmRole.values:
        raise InvalidInvitation(f"Unknown firm role “{role}”.")
    token = secrets.token_urlsafe(32)
    invitation = FirmInvitation.objects.create(
        firm=firm, email=email, role=role, token_hash=invitation_token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + settings.INVITATION_TTL,
    )
    link = public_url(f"/firm/invite/{token}/")
    audit_record(actor=actor, action="firm.invitation_created", obj=invitation,
                 after={"firm": firm.slug, "email": email, "role": role})
    transaction.on_commit(lambda: send_mail(
        f"You're invited to {firm.name} on Oodaloo",
        f"{actor.email} invited you to the firm {firm.name} as {role}.\n\nAccept: {link}\n"
        f"This link works once and expires in {settings.INVITATION_TTL.days} days.",
        settings.ACCOUNTS_FROM_EMAIL, [email],
    ))
    return invitation


def firm_invitation_lookup(token: str) -> FirmInvitation:
    return invitation_find(FirmInvitation.objects.select_related("firm"), token,
                           ask="a partner")


def firm_invitation_accept(*, token: str, password: str = "", full_name: str = "",
                           signer: User | None = None) -> tuple[User, Firm]:
    with transaction.atomic():
        invitation, user = invitation_claim(firm_invitation_lookup(token), password, full_name,
                                            signer=signer)
        member, created = FirmMember.objects.get_or_create(
            firm=invitation.firm, user=user, defaults={"role": invitation.role})
        if created:
            audit_record(actor=user, action="firm.member_added", obj=member,
                         after={"firm": invitation.firm.slug, "role": invitation.role})
    return user, invitation.firm


def firm_member_remove(*, actor: User, member: FirmMember) -> None:
    """The person leaves the firm, and with it every client access the firm gave them."""
    _require_partner(actor, member.firm)
    if member.role == FirmRole.PARTNER and not FirmMember.objects.filter(
        firm=member.firm, role=FirmRole.PARTNER).exclude(pk=member.pk).exists():
        raise FirmError("A firm needs at least one partner.")
    with transaction.atomic():
        for grant in Membership.objects.filter(firm=member.firm, user=member.user):
            _grant_delete(actor, grant, reason="member_removed")
        audit_record(actor=actor, action="firm.member_removed", obj=member,
                     before={"firm": member.firm.slug, "user": member.user.email,
                             "role": member.role})
        member.delete()


# --- clients ------------------------------------------------------------------------------------


def firm_client_invite(*, actor: User, business: Business, firm_ref: str) -> FirmClient:
    """The business's owner lets a firm serve it, naming the firm by its slug or by one of its
    partners' email. The firm sees nothing until one of its partners grants someone access."""
    if not _is_owner(actor, business):
        raise PermissionDenied("Only an owner can give a firm access.")
    ref = (firm_ref or "").strip().lower()
    firm = Firm.objects.filter(slug=ref).first()
    if firm is None:
        # A partner may be in several firms: only an email that names one firm is an answer,
        # or the owner would let in a firm they never named.
        firms = list(Firm.objects.filter(members__user__email=ref,
                                         members__role=FirmRole.PARTNER).distinct()[:2])
        if len(firms) > 1:
            raise FirmError("That person is a partner in more than one firm: name the firm by "
                            "its address instead.")
        firm = firms[0] if firms else None
    if firm is None:
        raise FirmError("No firm with that name or partner email.")
    link, created = FirmClient.objects.get_or_create(
        firm=firm, business=business, defaults={"added_by": actor})
    if created:
        audit_record(actor=actor, action="firm.client_added", business=business, obj=link,
                     after={"firm": firm.slug, "by": "owner"})
    return link


def firm_client_create(*, actor: User, firm: Firm, slug: str, name: str, owner_email: str,
                       timezone_name: str = "America/New_York") -> FirmClient:
    """The firm sets up a new client business and emails its owner an invitation (the link goes
    to that address only: it proves the address). The creating partner gets bookkeeper access."""
    _require_partner(actor, firm)
    owner_email = invitation_email_clean(owner_email)
    slug = slug_validate(slug)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():  # never a business nobody can reach: all of it or nothing
        business = business_provision(slug=slug, name=name, timezone=timezone_name)
        link = FirmClient.objects.create(firm=firm, business=business, added_by=actor)
        audit_record(actor=actor, action="firm.client_added", business=business, obj=link,
                     after={"firm": firm.slug, "by": "firm", "owner": owner_email})
        invitation = Invitation.objects.create(
            business=business, email=owner_email, role=Role.OWNER,
            token_hash=invitation_token_hash(token), invited_by=actor,
            expires_at=timezone.now() + settings.INVITATION_TTL)
        audit_record(actor=actor, action="invitation.created", business=business,
                     obj=invitation, after={"email": owner_email, "role": Role.OWNER})
        firm_grant(actor=actor, firm=firm, business=business, user=actor,
                   role=Role.BOOKKEEPER)
    url = public_url(f"/invite/{token}/")
    transaction.on_commit(lambda: send_mail(
        f"{firm.name} set up {business.name} on Oodaloo for you",
        f"{actor.email} of {firm.name} invited you to own {business.name}.\n\nAccept: {url}\n",
        settings.ACCOUNTS_FROM_EMAIL, [owner_email],
    ))
    return link


def firm_client_end(*, actor: User, link: FirmClient) -> None:
    """The client's owner (or a partner) ends the relationship: every grant goes with it."""
    if not (_is_owner(actor, link.business) or _is_partner(actor, link.firm)):
        raise PermissionDenied("Only the business's owner or a partner of the firm can do that.")
    with transaction.atomic():
        for grant in Membership.objects.filter(firm=link.firm, business=link.business):
            _grant_delete(actor, grant, reason="client_ended")
        audit_record(actor=actor, action="firm.client_ended", business=link.business, obj=link,
                     before={"firm": link.firm.slug})
        link.delete()


# --- grants -------------------------------------------------------------------------------------


def firm_grant(*, actor: User, firm: Firm, business: Business, user: User, role: str
               ) -> Membership:
    """A partner gives one of the firm's people access to one of its clients."""
    _require_partner(actor, firm)
    if role not in GRANTABLE_ROLES:
        raise FirmError("A firm can grant bookkeeper or viewer access only.")
    if not FirmClient.objects.filter(firm=firm, business=business).exists():
        raise PermissionDenied("That business is not a client of the firm.")
    if not FirmMember.objects.filter(firm=firm, user=user).exists():
        raise FirmError("That person is not a member of the firm.")
    existing = Membership.objects.filter(user=user, business=business).first()
    if existing is not None and existing.firm_id != firm.pk:
        raise FirmError(f"{user.email} already has their own access to {business.name}.")
    if existing is not None:
        return existing
    membership = Membership.objects.create(user=user, business=business, role=role, firm=firm)
    audit_record(actor=actor, action="firm.grant_added", business=business, obj=membership,
                 after={"firm": firm.slug, "user": user.email, "role": role})
    return membership


def firm_grant_revoke(*, actor: User, membership: Membership) -> None:
    """A partner of the granting firm, or the client's owner, takes a grant back; the person
    loses access on their next request."""
    if membership.firm_id is None:
        raise FirmError("That access was not given by a firm.")
    if not (_is_partner(actor, membership.firm) or _is_owner(actor, membership.business)):
        raise PermissionDenied("Only a partner of the firm or the business's owner can do that.")
    _grant_delete(actor, membership, reason="revoked")


def _grant_delete(actor: User, membership: Membership, *, reason: str) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action="firm.grant_revoked", business=membership.business,
                     obj=membership, before={"firm": membership.firm.slug,
                                             "user": membership.user.email,
                                             "role": membership.role, "reason": reason})
        member_left(actor=actor, membership=membership)  # their API keys there end too
        membership.delete()


__all__ = ["firm_client_create", "firm_client_end", "firm_client_invite", "firm_create",
           "firm_grant", "firm_grant_revoke", "firm_invitation_accept",
           "firm_invitation_create", "firm_member_remove", "firms_for"]
