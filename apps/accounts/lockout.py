"""Who a failed sign-in is counted against (django-axes). The portal's forms call the field
`email`, the staff admin's form `username`; both are the same email, normalised, so five wrong
passwords lock the account whichever form they came through."""


def attempted_email(request, credentials=None) -> str | None:
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for field in ("email", "username"):
            value = source.get(field)
            if value:
                return str(value).strip().lower()
    return None
