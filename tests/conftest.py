"""Shared fixtures: the test database gets the public host, the template schema and two
businesses (alpha, beta) once per session; tests run inside a business with `in_tenant`."""

import pytest
from django.db import connection

from apps.accounts.models import Role
from apps.core import pending_sql
from tests.factories import make_member

# `postmark`: the mail provider's stand-in, for any test where it refuses or never answers.
pytest_plugins = ["tests.postmark"]

BASE_BUSINESSES = (
    ("alpha", "Alpha Studio", "America/Los_Angeles"),
    ("beta", "Beta Works", "Australia/Sydney"),
)


def ensure_base_rows() -> None:
    """Public host, template and the two test businesses. Transactional tests end with a flush
    of the public tables (schemas survive), so this also runs after each of them."""
    from apps.tenancy.models import Business
    from apps.tenancy.services import (
        business_provision,
        public_tenant_ensure,
        template_schema_ensure,
    )

    connection.set_schema_to_public()
    public_tenant_ensure()
    template_schema_ensure()
    for slug, name, tz in BASE_BUSINESSES:
        if not Business.objects.filter(slug=slug).exists():
            business_provision(slug=slug, name=name, timezone=tz)
    connection.set_schema_to_public()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_base_rows()


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_site", "live_server"} & set(request.fixturenames))


def clear_test_cache() -> None:
    """Delete this run's cache keys (tenant-prefixed `schema:prefix:version:key`) without
    touching other processes' keys in the same Redis."""
    from django.conf import settings
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"*:{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    from apps.core.services import activity

    activity._touched.clear()  # this process's "marked recently" memo went with the keys


@pytest.fixture(autouse=True)
def _back_to_public():
    clear_test_cache()
    yield
    connection.set_schema_to_public()
    # A second connection the runway opened outside a transaction block (apps/core/pending_sql)
    # is closed like Django's test connections are, or it would keep the test database open.
    pending_sql.aside_close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (which runs in fixture teardown), put the base rows
    back, so the next test finds the public host and the two businesses."""
    yield
    # After the session's last test the test database is already gone: nothing to restore.
    if nextitem is not None and hasattr(item, "_request") and _is_transactional(item._request):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            connection.set_schema_to_public()
            ensure_base_rows()
            # Opened here, between tests, by no fixture: left open it outlived a following run
            # of tests without the database (the drills) and the test database could not be
            # dropped at the end ("is being accessed by other users"). The next test reopens.
            connection.close()


@pytest.fixture
def tenant_a(db):
    from apps.tenancy.models import Business

    return Business.objects.get(slug="alpha")


@pytest.fixture
def tenant_b(db):
    from apps.tenancy.models import Business

    return Business.objects.get(slug="beta")


@pytest.fixture
def owner_a(tenant_a):
    return make_member(tenant_a, Role.OWNER)


@pytest.fixture
def owner_b(tenant_b):
    return make_member(tenant_b, Role.OWNER)


@pytest.fixture(scope="module")
def memory_broker():
    """Publish tasks to an in-memory broker (never the shared Redis queue) for one module,
    then put the real broker back for the tests after it."""
    from oodaloo.celery import app as celery_app

    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = "memory://"
    yield
    celery_app.conf.broker_url = previous
