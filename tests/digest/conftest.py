import pytest
import redis
from django.conf import settings

from apps.accounts.models import Role
from apps.core.dates import local_today
from apps.tenancy.models import Business
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
    _drop_digest_locks()


def _drop_digest_locks() -> None:
    """A worker killed on purpose keeps its Redis lock for the lease (10 min): a test that
    failed before its retry released it must not leave the next run's sends "busy"."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "oodaloo")
    keys = list(client.scan_iter(match=f"{prefix}:lock:digest:*"))
    if keys:
        client.delete(*keys)
