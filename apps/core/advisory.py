"""Transaction-level Postgres advisory locks, named by text.

``xact_lock("tray:alpha")`` waits for, then holds until the current transaction ends, the lock
of that name: the way to serialise work that has no row to lock yet (the first document of a
file, one tray generator per business). The id is the name's CRC-32; two names sharing an id
only serialise needlessly, never wrongly.
"""

from __future__ import annotations

import zlib

from django.db import connection


def xact_lock(name: str) -> None:
    """Callers are inside ``transaction.atomic`` (outside one the lock ends at once)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
