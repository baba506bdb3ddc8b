import pytest

from apps.accounts.models import Role
from apps.core.dates import local_today
from apps.tenancy.models import Business
from tests.digest.provider import postmark  # noqa: F401 — a fixture
from tests.digest.seed import clear_books, seed_books
from tests.factories import make_member


@pytest.fixture
def books_a(tenant_a):
    """Alpha with a small book of data (the runway cache is invalidated before and after)."""
    clear_books(tenant_a)
    seed_books(tenant_a, local_today(tenant_a.timezone))
    yield tenant_a
    clear_books(tenant_a)


@pytest.fixture
def committed(transactional_db):
    """Committed rows: the worker processes must see them."""


@pytest.fixture
def alpha_books(committed):
    """Alpha's books and owner, committed (for the worker-process tests)."""
    alpha = Business.objects.get(slug="alpha")
    clear_books(alpha)
    seed_books(alpha, local_today(alpha.timezone))
    make_member(alpha, Role.OWNER)
    yield alpha
    clear_books(alpha)
