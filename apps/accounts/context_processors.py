from apps.accounts.permissions import can


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
    }
