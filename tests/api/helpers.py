"""Isolation tests need an id that exists in business B and not in A (sequences are per schema,
so the same number can exist in both and a 404 would prove nothing)."""

from tests.utils import in_tenant


def foreign_row(owner, other, make):
    """Create rows with `make()` in `owner`'s schema until one's id is absent from `other`'s."""
    for _ in range(50):
        with in_tenant(owner):
            row = make()
        with in_tenant(other):
            if not type(row).objects.filter(pk=row.pk).exists():
                return row
    raise AssertionError("could not find an id unique to one business")
