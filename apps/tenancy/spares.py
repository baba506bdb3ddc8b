"""Spare schemas: clones of the template made ahead of time, so a new business renames one
(`ALTER SCHEMA … RENAME`, milliseconds, transactional) instead of waiting for a clone.

django-tenants' `clone_schema` walks the catalog one object at a time in PL/pgSQL: 2–3 s per
schema here (4.4 s median under load), plus a faked `migrate_schemas` (0.4 s). A sign-up should
not wait for that. `spares_refill` (beat, and after every claim) keeps
`settings.TENANT_SPARE_SCHEMAS` clones ready; `spare_claim` renames one to the new business's
schema inside the caller's transaction, so a failed save rolls the rename back and the spare
is still a spare. With none ready the caller clones the template in that same transaction
(`business_provision`), so a failed sign-up leaves no schema either way.

Every clone holds `clone_lock()` until its transaction ends: django-tenants' `clone_schema` first
runs `CREATE OR REPLACE FUNCTION clone_schema`, and two transactions replacing that function at
once fail the later one ("tuple concurrently updated") — a sign-up cloning inside its own
transaction would otherwise fail any refill or other sign-up cloning meanwhile.

Staleness: a spare's name carries a stamp of the template's applied migrations
(`spare__<stamp>_<random>`). A release that migrates the template changes the stamp, so older
spares are never claimed (they lack the new migrations) and the next refill drops them.
Renaming is safe because nothing in a tenant schema names its own schema in text: defaults,
identity sequences, indexes and the history triggers reference objects by OID (checked by
tests/tenancy/test_spares.py, which compares a claimed schema with the template). Like every
clone, a spare's constraints and indexes carry the template's names (apps/tenancy/names.py).
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import connection, transaction
from django_tenants.clone import CloneSchema

from apps.core.advisory import xact_lock
from apps.tenancy.models import Business
from apps.tenancy.names import schema_names_align

# A double underscore: no business schema can start so (slugs refuse "--", schema = slug with
# "_" for "-"), so a spare is never mistaken for a business, nor a business for a spare.
PREFIX = "spare__"


def _like(prefix: str) -> str:
    """A LIKE pattern for names starting with `prefix` (its underscores taken literally)."""
    return prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def clone_lock() -> None:
    """Inside the caller's transaction: wait until no other clone of the template runs."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("clone_lock is held until the caller's transaction ends")
    xact_lock("template-clone")


def template_stamp() -> str:
    """10 hex digits naming the template's applied migrations (any migration changes it)."""
    with connection.cursor() as cur:
        base = _quote(settings.TENANT_BASE_SCHEMA)
        cur.execute(f"SELECT app, name FROM {base}.django_migrations ORDER BY app, name")
        text = "\n".join(f"{app}.{name}" for app, name in cur.fetchall())
    return hashlib.blake2b(text.encode(), digest_size=5).hexdigest()


def spares_ready() -> list[str]:
    """Spares of the current template, ready to be claimed."""
    return _spares(_like(f"{PREFIX}{template_stamp()}_"))


def _spares(like: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
                    [like])
        return [row[0] for row in cur.fetchall()]


def spare_claim(schema: str) -> bool:
    """Rename a current spare to `schema` in the open transaction; False when none is ready.

    Two claimers never take the same spare: each holds a transaction-scoped advisory lock on
    the name it renames, and a rename that loses a race (the schema is gone) is undone to its
    savepoint and reported as no spare."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("spare_claim renames inside the caller's transaction")
    stamp = template_stamp()
    with connection.cursor() as cur:
        cur.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s "
                    "AND pg_try_advisory_xact_lock(hashtext(nspname)) LIMIT 1",
                    [_like(f"{PREFIX}{stamp}_")])
        row = cur.fetchone()
        if row is None:
            return False
        try:
            with transaction.atomic():
                cur.execute(f"ALTER SCHEMA {_quote(row[0])} RENAME TO {_quote(schema)}")
        except Exception:  # renamed by another claimer since we read the catalog
            return False
    return True


def spares_refill(count: int | None = None) -> dict[str, int]:
    """Drop spares of an older template, then clone the template until `count` are ready."""
    count = settings.TENANT_SPARE_SCHEMAS if count is None else count
    connection.set_schema_to_public()
    stamp = template_stamp()
    current = f"{PREFIX}{stamp}_"
    dropped = 0
    taken = set(Business.objects.values_list("schema_name", flat=True))  # never a business's
    for name in _spares(_like(PREFIX)):
        if not name.startswith(current) and name not in taken:
            with connection.cursor() as cur:
                cur.execute(f"DROP SCHEMA IF EXISTS {_quote(name)} CASCADE")
            dropped += 1
    ready = len(_spares(_like(current)))
    made = 0
    for _ in range(max(0, count - ready)):
        # DATA mode copies the template's rows too: its django_migrations record comes along.
        name = f"{current}{uuid.uuid4().hex[:8]}"
        with transaction.atomic():
            clone_lock()
            CloneSchema().clone_schema(settings.TENANT_BASE_SCHEMA, name, "DATA")
            schema_names_align(name)  # the migrations' names, not clone_schema's
        made += 1
    connection.set_schema_to_public()
    return {"dropped": dropped, "made": made, "ready": ready + made}
