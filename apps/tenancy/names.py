"""Constraint and index names of a business schema, made the template's.

django-tenants' `clone_schema` recreates unique constraints as `<table>_<columns>_key` instead of
the names the migrations gave them (`ap_bill_unique_qbo_id`). A later migration that drops or
alters one by name would then fail on every cloned business. `schema_names_align` renames each
constraint and index whose table and definition match one of the template's but whose name
differs, to the template's name. It runs after every clone (spares and the fallback clone in
`business_provision`) and, for existing schemas, in `setup_tenancy` before the tenant migrations
of each release (docs/deploy.md) or by hand with `manage.py tenancy_align_names`.

A schema is only aligned while its applied migrations equal the template's: mid-release the
template may already hold a migration's new constraint with the old one's definition, and
renaming to it would break the very migration that is about to drop the old name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

# Indexes that back a primary-key, unique or exclusion constraint are renamed with it.
_CONSTRAINTS = (
    "SELECT c.relname, pg_get_constraintdef(k.oid), k.conname, k.contype IN ('p', 'u', 'x') "
    "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s"
)
_INDEXES = (
    "SELECT t.relname, pg_get_indexdef(i.indexrelid), x.relname, true FROM pg_index i "
    "JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
    "JOIN pg_namespace n ON n.oid = x.relnamespace WHERE n.nspname = %s AND NOT EXISTS "
    "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid "
    "AND k.contype IN ('p', 'u', 'x'))"
)
_INDEX_NAME = re.compile(r'^(CREATE (?:UNIQUE )?INDEX )(?:"(?:[^"]|"")+"|\S+) ON ')


@dataclass(frozen=True)
class Rename:
    kind: str  # "constraint" or "index"
    table: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.kind} {self.table}.{self.old} -> {self.new}"


@dataclass
class Alignment:
    schema: str
    renamed: list[Rename] = field(default_factory=list)
    conflicts: list[Rename] = field(default_factory=list)  # target name held by another object
    skipped: str = ""  # why the schema was left alone


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _normalise(schema: str, definition: str) -> str:
    """A definition with the schema's own qualifier and (for an index) its name taken out."""
    definition = _INDEX_NAME.sub(r"\1ON ", definition, count=1)
    qualifier = re.escape(_quote(schema)) + "|" + re.escape(schema)
    return re.sub(rf'(?<![\w$"])(?:{qualifier})\.', "", definition)


def _catalog(cur, sql: str, schema: str) -> dict[tuple[str, str], list[tuple[str, bool]]]:
    """(table, normalised definition) -> [(name, holds a relation name)], names sorted."""
    found: dict[tuple[str, str], list[tuple[str, bool]]] = {}
    cur.execute(sql, [schema])
    for table, definition, name, relation in cur.fetchall():
        found.setdefault((table, _normalise(schema, definition)), []).append((name, relation))
    return {key: sorted(names) for key, names in found.items()}


def _plan(kind: str, template: dict, current: dict) -> list[tuple[Rename, bool]]:
    """Pair each name missing from the template with a template name missing here, per
    (table, definition); identical definitions make any pairing equivalent."""
    plan = []
    for (table, _definition), names in current.items():
        wanted = {name for name, _ in template.get((table, _definition), [])}
        have = {name for name, _ in names}
        relation = dict(names)
        for old, new in zip(sorted(have - wanted), sorted(wanted - have), strict=False):
            plan.append((Rename(kind, table, old, new), relation[old]))
    return plan


def _taken(cur, schema: str) -> tuple[set[str], set[tuple[str, str]]]:
    """Relation names of the schema, and (table, constraint name) pairs."""
    cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s", [schema])
    relations = {row[0] for row in cur.fetchall()}
    cur.execute("SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c "
                "ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s", [schema])
    return relations, set(cur.fetchall())


def _rename_sql(schema: str, rename: Rename, old: str, new: str) -> str:
    if rename.kind == "index":
        return f"ALTER INDEX {_quote(schema)}.{_quote(old)} RENAME TO {_quote(new)}"
    return (f"ALTER TABLE {_quote(schema)}.{_quote(rename.table)} "
            f"RENAME CONSTRAINT {_quote(old)} TO {_quote(new)}")


def _apply(cur, schema: str, plan: list[tuple[Rename, bool]], result: Alignment,
           dry_run: bool) -> None:
    relations, constraints = _taken(cur, schema)
    todo = list(plan)
    while True:  # drop renames whose target is held by an object that is not renamed away
        freed_rel = {r.old for r, rel in todo if rel}
        freed_con = {(r.table, r.old) for r, rel in todo if r.kind == "constraint"}
        blocked = [(r, rel) for r, rel in todo
                   if (rel and r.new in relations and r.new not in freed_rel)
                   or ((r.table, r.new) in constraints and (r.table, r.new) not in freed_con)]
        if not blocked:
            break
        result.conflicts.extend(r for r, _ in blocked)
        todo = [item for item in todo if item not in blocked]
    result.renamed = [r for r, _ in todo]
    if dry_run:
        return
    # Swapped names go through a temporary name first.
    swaps = [(r, f"oodaloo_align_{i}") for i, (r, rel) in enumerate(todo)
             if (rel and r.new in relations) or (r.table, r.new) in constraints]
    for rename, temporary in swaps:
        cur.execute(_rename_sql(schema, rename, rename.old, temporary))
    temporary_of = dict(swaps)
    # Renames to free names first: they may free a name a parked one is waiting for.
    for rename, _ in sorted(todo, key=lambda item: item[0] in temporary_of):
        cur.execute(_rename_sql(schema, rename, temporary_of.get(rename, rename.old), rename.new))


def _migrations(cur, schema: str) -> set[tuple[str, str]]:
    cur.execute(f"SELECT app, name FROM {_quote(schema)}.django_migrations")
    return set(cur.fetchall())


@dataclass(frozen=True)
class Template:
    """What a schema is compared with; read once for a run over many schemas."""
    migrations: frozenset
    constraints: dict
    indexes: dict


def template_read() -> Template:
    base = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cur:
        return Template(frozenset(_migrations(cur, base)), _catalog(cur, _CONSTRAINTS, base),
                        _catalog(cur, _INDEXES, base))


def schema_names_align(schema: str, *, dry_run: bool = False,
                       template: Template | None = None) -> Alignment:
    """Give `schema` the template's constraint and index names, in one transaction.

    Idempotent: a second run renames nothing. Renaming takes a brief ACCESS EXCLUSIVE lock on
    each table touched; `lock_timeout` makes a busy table fail this schema (rolled back, retried
    by the caller) rather than queue every query behind it. `template`: from `template_read()`,
    when aligning many schemas against an unchanging template."""
    result = Alignment(schema)
    if schema == settings.TENANT_BASE_SCHEMA:
        result.skipped = "the template itself"
        return result
    template = template or template_read()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '5s'")
        cur.execute("SELECT to_regclass(%s)", [f"{_quote(schema)}.django_migrations"])
        if cur.fetchone()[0] is None:
            result.skipped = "no such schema (or no migrations table)"
            return result
        if _migrations(cur, schema) != template.migrations:
            result.skipped = "its applied migrations differ from the template's"
            return result
        plan = _plan("constraint", template.constraints, _catalog(cur, _CONSTRAINTS, schema))
        _apply(cur, schema, plan, result, dry_run)
        # Constraint renames also renamed their indexes; the rest are compared afterwards.
        index_result = Alignment(schema)
        plan = _plan("index", template.indexes, _catalog(cur, _INDEXES, schema))
        _apply(cur, schema, plan, index_result, dry_run)
        result.renamed += index_result.renamed
        result.conflicts += index_result.conflicts
    return result
