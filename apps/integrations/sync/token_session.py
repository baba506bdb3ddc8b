"""A database session of its own for saving rotated QBO tokens.

QBO rotates the refresh token on every refresh: the old one dies (after a short grace), so the
new one must outlive whatever the caller does next. A refresh can happen inside a caller's
transaction (an outbox after-action hook runs in one); saved there, a rollback of that
transaction would lose the only valid refresh token (→ needs_reconnect). Saved on a second
session it commits on its own.

It is a Django connection to the default database (so the ORM, the encrypted fields and the
public schema work as usual), registered under a private alias for the block and closed after
it: refreshes are rare (about hourly per business), a fresh session costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

ALIAS = "qbo_token_session"


@contextmanager
def token_session() -> Iterator[str]:
    """Yields the alias of a new session (autocommit) to the default database; this thread
    only (Django's connections are per thread)."""
    base = connections[DEFAULT_DB_ALIAS].settings_dict
    wrapper = load_backend(base["ENGINE"]).DatabaseWrapper(dict(base), ALIAS)
    connections[ALIAS] = wrapper
    try:
        yield ALIAS
    finally:
        del connections[ALIAS]
        wrapper.close()
