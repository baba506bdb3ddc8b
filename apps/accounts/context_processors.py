from apps.accounts.permissions import can
from apps.tenancy.urls import public_url


def membership(request):
    member = getattr(request, "membership", None)
    business = getattr(request, "business", None)
    user = getattr(request, "user", None)
    if business is not None and member is None and user is not None and user.is_authenticated:
        # A signed-in non-member gets a plain 404: not even the business's name.
        business = None
    return {
        "business": business,
        "membership": member,
        "can_write": can(request, "bookkeeper"),
        "is_owner": can(request, "owner"),
        # Password, two-step sign-in and sign-out live on the public host.
        "account_url": public_url("/account/"),
        "password_reset_url": public_url("/password/reset/"),
    }
