"""Who may accept an invitation for an address that already has an account.

The link proves the address for a new account (it is emailed to that address and shown to no
one else). An existing account is not joined by the link alone, which may have been forwarded:
it accepts as it signs in — already signed in as it, or with its password on the invitation
page through `authenticate` (django-axes counts and locks wrong guesses there as on the sign-in
page). An account with a two-step device, and a staff account, signs in first, with its code:
the invitation page never asks for one.
"""

from __future__ import annotations

from django.contrib.auth import authenticate

from apps.accounts import two_step
from apps.accounts.models import User
from apps.accounts.services import InvalidInvitation


def invitation_account(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def must_sign_in_first(request, account: User | None) -> bool:
    """The page shows "sign in to accept" instead of a password field."""
    if account is None or signed_in_as(request, account):
        return False
    return account.is_staff or two_step.device_for(account) is not None


def signed_in_as(request, account: User | None) -> bool:
    return (account is not None and request.user.is_authenticated
            and request.user.pk == account.pk)


def invitation_signer(request, email: str, password: str) -> User | None:
    """The existing account for ``email``, proven; None when there is none (the invitation
    makes it with ``password``). Raises InvalidInvitation when it is not proven."""
    account = invitation_account(email)
    if account is None or signed_in_as(request, account):
        return account
    if request.user.is_authenticated:
        raise InvalidInvitation(f"You are signed in as {request.user.email}; this invitation is "
                                f"for {email}. Sign out, then open the link again.")
    if must_sign_in_first(request, account):
        raise InvalidInvitation(f"{email} signs in with a two-step code: sign in first, then "
                                "accept.")
    proven = authenticate(request, email=email, password=password)
    if proven is None or proven.pk != account.pk:
        raise InvalidInvitation("That email already has an account; use its password.")
    return proven
