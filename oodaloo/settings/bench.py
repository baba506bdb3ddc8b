"""Benchmarks: production-like (DEBUG off, real hashing cost is irrelevant), quiet logs."""

from oodaloo.settings.base import *  # noqa: F403
from oodaloo.settings.base import CACHES, CELERY_BROKER_URL, REDIS_URL, env

DEBUG = False
# `make drill` kills workers at named points (apps/integrations/mail/delivery.fault_hook).
FAULT_DRILLS = True
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "testserver", ".testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
# Their own Redis database on the embedded services (oodaloo/embedded.py): tasks a benchmark
# leaves queued never reach the demo's worker.
REDIS_URL = env("BENCH_REDIS_URL", default=REDIS_URL)
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = env("BENCH_CELERY_BROKER_URL", default=CELERY_BROKER_URL)
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
