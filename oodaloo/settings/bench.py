"""Benchmarks: production-like (DEBUG off, real hashing cost is irrelevant), quiet logs."""

from oodaloo.settings.base import *  # noqa: F403

DEBUG = False
# `make drill` kills workers at named points (apps/integrations/mail/delivery.fault_hook).
FAULT_DRILLS = True
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1", "testserver", ".testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
