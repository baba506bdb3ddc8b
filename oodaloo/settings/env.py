"""The one environment reader (django-environ): every machine-specific setting comes from here."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# `.data/env` is written by the embedded Postgres/Redis launcher when no URLs are set.
for candidate in (BASE_DIR / ".env", BASE_DIR / ".data" / "env"):
    if candidate.exists():
        environ.Env.read_env(str(candidate), overwrite=False)
