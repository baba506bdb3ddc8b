"""The one environment reader (django-environ): every machine-specific setting comes from here."""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# `.data/env` is written by the embedded Postgres/Redis launcher when no URLs are set; production
# never reads it (its services come from the real environment or nothing).
_production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production")
for candidate in (BASE_DIR / ".env", *(() if _production else (BASE_DIR / ".data" / "env",))):
    if candidate.exists():
        environ.Env.read_env(str(candidate), overwrite=False)
