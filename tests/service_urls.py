"""Service addresses for tests, benchmarks and drills — always from settings (`DATABASE_URL`,
`REDIS_URL`, the embedded services' `.data/env`), never a literal host or port of their own.
`tests/core/test_service_addresses.py` fails on a literal Redis/Postgres address in test code.

No Django import at module level: the bench and drill runners use this before `django.setup()`.
"""

import os
from urllib.parse import quote, unquote


def configured_database_url() -> str:
    """The DATABASE_URL the settings use: the environment, `.data/env`, or the settings default."""
    from oodaloo.settings.env import DEFAULT_DATABASE_URL, env

    return os.environ.get("DATABASE_URL") or env("DATABASE_URL", default=DEFAULT_DATABASE_URL)


def database_url(db: dict, name: str | None = None) -> str:
    """A DATABASE_URL for the server of Django database settings `db` (database `name`, default
    the same one). A socket directory, as the embedded Postgres uses, is URL-encoded into the
    host; an empty host stays empty (libpq's own default), exactly as the settings had it."""
    auth = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{name or db['NAME']}"


def with_database(url: str, name: str) -> str:
    """The same server as `url`, another database."""
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"


def admin_connect_params(url: str) -> dict:
    """psycopg.connect() keywords for the `postgres` maintenance database on `url`'s server."""
    from oodaloo.settings.env import env

    cfg = env.db_url_config(url)
    params = {"user": cfg["USER"] or "postgres", "dbname": "postgres", "autocommit": True}
    if cfg.get("HOST"):
        params["host"] = unquote(cfg["HOST"])
    if cfg.get("PASSWORD"):
        params["password"] = cfg["PASSWORD"]
    if cfg.get("PORT"):
        params["port"] = cfg["PORT"]
    return params
