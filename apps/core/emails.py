"""Email addresses a person typed (or QuickBooks holds): one reading for every form."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def emails_clean(parts: Iterable[str], error: type[Exception]) -> list[str]:
    """The addresses in ``parts``, trimmed, lower-cased and de-duplicated in order, blanks
    skipped. Raises ``error`` naming the first one that is not an address."""
    out: list[str] = []
    for part in parts:
        email = part.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise error(f"“{email}” is not an email address.") from None
        if email not in out:
            out.append(email)
    return out
