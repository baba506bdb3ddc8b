import pytest

from apps.core.dates import local_today
from tests.digest.seed import clear_books, seed_books


@pytest.fixture
def books_a(tenant_a):
    """Alpha with a small book of data (the runway cache is invalidated before and after)."""
    clear_books(tenant_a)
    seed_books(tenant_a, local_today(tenant_a.timezone))
    yield tenant_a
    clear_books(tenant_a)
