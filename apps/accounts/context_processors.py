from apps.accounts.permissions import can


def membership(request):
    member = getattr(request, "membership", None)
    return {
        "business": getattr(request, "business", None),
        "membership": member,
        "can_write": can(request, "bookkeeper"),
        "is_owner": can(request, "owner"),
    }
