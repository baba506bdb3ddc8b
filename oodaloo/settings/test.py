"""Tests: real Postgres and Redis, fast hashing, mail kept in memory."""

from oodaloo.settings.base import *  # noqa: F403
from oodaloo.settings.base import CACHES, CELERY_BROKER_URL, DATABASES, REDIS_URL, env

DEBUG = False
# Live-server threads must not keep connections open past their request (test DB teardown).
DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "testserver", ".testserver"]
# On the embedded services tests use a Redis database of their own (oodaloo/embedded.py), so a
# task a test leaves queued is never run by the demo's worker; elsewhere REDIS_URL is the choice.
REDIS_URL = env("TEST_REDIS_URL", default=REDIS_URL)
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = env("TEST_CELERY_BROKER_URL", default=CELERY_BROKER_URL)
# A key prefix per test database keeps parallel test runs apart.
# Each test database gets its own cache prefix; tests/conftest.py empties it between tests.
# pytest-xdist workers (PYTEST_XDIST_WORKER) get one each, as they get a database each: one
# worker emptying its prefix must not wipe another's keys mid-test (a replayed webhook's mark).
CACHES["default"]["KEY_PREFIX"] = env(
    "CACHE_KEY_PREFIX", default=f"oodaloo-{env('TEST_DB_NAME', default='test_oodaloo')}"
) + env("PYTEST_XDIST_WORKER", default="")
AXES_FAILURE_LIMIT = 5
# Crash tests may SIGKILL a worker at a named point (apps/integrations/mail/delivery.fault_hook).
FAULT_DRILLS = True
CELERY_TASK_ALWAYS_EAGER = False
# No spare schemas unless a test makes them (tests/tenancy/test_spares.py): provisioning clones.
TENANT_SPARE_SCHEMAS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Alert webhook tests post to a receiver they start on loopback over plain http; the
# production rules are tested with override_settings (tests/alerts/test_webhook_guard.py).
ALERTS_WEBHOOK_ALLOW_HTTP = True
ALERTS_WEBHOOK_ALLOW_LOOPBACK = True
ALERTS_WEBHOOK_TIMEOUT = 2.0
