"""The one environment reader (django-environ): every machine-specific setting comes from here."""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# Where Postgres and Redis are when nothing names them (the README's "configure your own").
# Tests, benchmarks and drills read these through settings, never as literals of their own.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/oodaloo"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

# `.data/env` is written by the embedded Postgres/Redis launcher when no URLs are set; production
# never reads it (its services come from the real environment or nothing).
_production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production")
for candidate in (BASE_DIR / ".env", *(() if _production else (BASE_DIR / ".data" / "env",))):
    if candidate.exists():
        environ.Env.read_env(str(candidate), overwrite=False)
