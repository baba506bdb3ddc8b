"""Check constraints several models state the same way."""

from django.db import models


def null_or_check(field: str, lookup: str, *, name: str) -> models.CheckConstraint:
    """``field`` is NULL (not known) or satisfies ``lookup`` against zero (e.g. "gt": positive)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__{lookup}": 0}),
        name=name,
    )
