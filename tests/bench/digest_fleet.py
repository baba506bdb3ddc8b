"""The digest benchmark's fleet: N businesses, each its own schema with realistic books, kept in
a database of its own (`<bench db>_digests`) that `make bench` reuses between runs — building
1,000 schemas takes minutes and is not what the benchmark measures (its time is reported apart).

Books: the demo generator (apps/demo/generator) at BOOKS_SCALE for one year, with SEEDS
different seeds, stored through the QBO sync's ingest into the first SEEDS businesses; every
other business is a clone of one of them (django-tenants' clone_schema, data included — the
same mechanism provisioning uses), so the fleet holds SEEDS distinct books, N schemas, N owners.
No business has a QBO connection (a digest would otherwise ask the workers for a sync).

Run in its own process with DATABASE_URL pointing at the fleet database:
    python -m tests.bench.digest_fleet setup N [SEEDS]  # build what is missing; prints JSON
    python -m tests.bench.digest_fleet reset       # forget every digest sent (all due again)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

SEEDS = 20
BOOKS_SCALE = 0.2
BOOKS_YEARS = 1
AS_OF = date(2026, 11, 27)
SLUG = "fleet-{:04d}"
CLONE_BATCH = 5
FLEET_LOCK = 0x0DA1_0F1E  # Postgres advisory lock id of the fleet's builder


def _ensure_database() -> None:
    import os

    import psycopg

    from tests.bench.harness import admin_params

    name = os.environ["DATABASE_URL"].rpartition("/")[2]
    with psycopg.connect(**admin_params()) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _books(i: int):
    from django.db import connection

    from apps.demo.generator import generate_company
    from apps.integrations.sync.models import QboConnection
    from apps.tenancy.services import business_provision
    from tests.bench.bench_runway import qbo_ingest_dir

    business = business_provision(slug=SLUG.format(i), name=f"Fleet studio {i}",
                                  timezone="America/New_York")
    with tempfile.TemporaryDirectory() as out:
        generate_company(out, seed=100 + i, years=BOOKS_YEARS, scale=BOOKS_SCALE, as_of=AS_OF,
                         name=f"Fleet studio {i}")
        qbo_ingest_dir(business, Path(out) / "qbo")
    QboConnection.objects.filter(business=business).delete()
    connection.set_schema_to_public()
    return business


def _pg_dump() -> str:
    """The embedded Postgres's own pg_dump when it is installed (it is the newest here, and a
    pg_dump older than its server refuses to run); else the one on PATH."""
    from pathlib import Path

    try:
        import pgserver
    except ImportError:
        return "pg_dump"
    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    return str(bundled) if bundled.exists() else "pg_dump"


def _schema_ddl(schema: str) -> str:
    """The seed schema's DDL (tables, identity sequences, indexes, constraints) by pg_dump."""
    import os
    import subprocess

    from tests.bench.harness import admin_params

    admin = admin_params()
    env = {**os.environ, **({"PGPASSWORD": admin["password"]} if "password" in admin else {})}
    dump = subprocess.run(
        [_pg_dump(), "--schema-only", f"--schema={schema}", "-h", admin["host"],
         "-p", str(admin.get("port", 5432)), "-U", admin["user"],
         os.environ["DATABASE_URL"].rpartition("/")[2]],
        env=env, capture_output=True, text=True, check=True).stdout
    # psql meta-commands (\restrict) and the session SETs are not SQL for a plain connection
    return "\n".join(line for line in dump.splitlines()
                     if not line.startswith(("\\", "SET ", "SELECT pg_catalog.set_config")))


def _clone_batch(indices: list[int], ddl: str, tables: dict[int, list[str]], seeds: int) -> None:
    """Fleet members as copies of their seed's schema: pg_dump's DDL replayed under the new
    name and the rows copied with INSERT … SELECT, a batch per transaction (django-tenants'
    clone_schema does the same one catalog lookup at a time: ~3 s a schema here)."""
    import re

    from django.conf import settings
    from django.db import connection, transaction

    from apps.tenancy.models import Business, Domain

    seed0 = SLUG.format(0).replace("-", "_")
    with transaction.atomic(), connection.cursor() as cur:
        for i in indices:
            slug = SLUG.format(i)
            schema, source = slug.replace("-", "_"), SLUG.format(i % seeds).replace("-", "_")
            cur.execute(re.sub(rf"\b{seed0}\b", schema, ddl))
            for table in tables[i % seeds]:
                cur.execute(f'INSERT INTO "{schema}"."{table}" SELECT * FROM "{source}"."{table}"')
                cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{schema}\".\"{table}\"', "
                            f"'id'), (SELECT max(id) FROM \"{schema}\".\"{table}\"))")
            business = Business(schema_name=schema, slug=slug, name=f"Fleet studio {i}",
                                timezone="America/New_York")
            business.auto_create_schema = False
            business.save()
            Domain.objects.create(domain=f"{slug}.{settings.TENANT_DOMAIN_SUFFIX}",
                                  tenant=business, is_primary=True)
            _owner(business)
    connection.set_schema_to_public()


def _tables_with_rows(schema: str) -> list[str]:
    """Tables of `schema` holding rows and an `id` column (every Django table here has one)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' "
                    "WHERE n.nspname = %s AND c.relkind = 'r'", [schema])
        names = [r[0] for r in cur.fetchall()]
        out = []
        for name in names:
            cur.execute(f'SELECT EXISTS (SELECT 1 FROM "{schema}"."{name}")')
            if cur.fetchone()[0]:
                out.append(name)
    return out


def _owner(business) -> None:
    from apps.accounts.models import Membership, Role, User

    email = f"owner@{business.slug}.fleet.test"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email)
        user.set_unusable_password()  # nobody signs in; hashing 1,000 passwords is not the point
        user.save()
    Membership.objects.get_or_create(user=user, business=business, defaults={"role": Role.OWNER})


def setup(n: int, seeds: int = SEEDS) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from apps.tenancy.models import Business

    started = time.perf_counter()
    with connection.cursor() as cur:  # one builder at a time; a second waits, then finds it done
        cur.execute("SELECT pg_advisory_lock(%s)", [FLEET_LOCK])
    call_command("migrate_schemas", shared=True, verbosity=0)
    call_command("setup_tenancy", verbosity=0)
    have = set(Business.objects.filter(slug__startswith="fleet-").values_list("slug", flat=True))
    missing = [i for i in range(n) if SLUG.format(i) not in have]
    seeds = min(seeds, n)
    for i in [i for i in missing if i < seeds]:
        _owner(_books(i))
    clones = [i for i in missing if i >= seeds]
    if clones:
        ddl = _schema_ddl(SLUG.format(0).replace("-", "_"))
        tables = {k: _tables_with_rows(SLUG.format(k).replace("-", "_")) for k in range(seeds)}
        # A batch is one transaction; each schema's hundreds of relations hold a lock apiece
        # until commit, so a batch must stay under the lock table (max_locks_per_transaction).
        for start in range(0, len(clones), CLONE_BATCH):
            _clone_batch(clones[start:start + CLONE_BATCH], ddl, tables, seeds)
    return {"businesses": n, "built": len(missing),
            "seconds": round(time.perf_counter() - started, 1),
            "seeds": seeds, "scale": BOOKS_SCALE, "years": BOOKS_YEARS}


def reset() -> dict:
    """Every fleet business due again: its digest runs (and their deliveries) deleted."""
    from django.db import connection

    from apps.tenancy.models import Business

    schemas = list(Business.objects.filter(slug__startswith="fleet-")
                   .values_list("schema_name", flat=True))
    with connection.cursor() as cur:
        for schema in schemas:
            cur.execute(f'TRUNCATE "{schema}"."digest_digestrun" CASCADE')
    return {"reset": len(schemas)}


def main(argv: list[str]) -> None:
    import django

    _ensure_database()
    django.setup()
    out = setup(*map(int, argv[1:])) if argv[0] == "setup" else reset()
    print("FLEET " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
