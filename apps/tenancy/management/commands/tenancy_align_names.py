"""Existing schemas: give each the template's constraint and index names (apps/tenancy/names.py).
Run by `setup_tenancy` on every release, before the tenant migrations."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.tenancy.models import Business
from apps.tenancy.names import Alignment, schema_names_align, template_read
from apps.tenancy.spares import PREFIX, _like, _spares


def tenant_schemas() -> list[str]:
    """Every business schema and every spare (not public, not the template)."""
    connection.set_schema_to_public()
    businesses = list(Business.objects.real().order_by("schema_name")
                      .values_list("schema_name", flat=True))
    return businesses + _spares(_like(PREFIX))


def names_align_all(*, dry_run: bool = False, schemas: list[str] | None = None
                    ) -> tuple[list[Alignment], dict[str, str]]:
    """Align every tenant schema; a schema that fails (e.g. a lock timeout) is tried once more
    at the end, and its error returned rather than stopping the others."""
    results, errors = [], {}
    pending = list(tenant_schemas() if schemas is None else schemas)
    template = template_read()  # unchanged during the run: setup_tenancy migrates nothing
    for _ in range(2):
        failed = []
        for schema in pending:
            try:
                results.append(schema_names_align(schema, dry_run=dry_run, template=template))
                errors.pop(schema, None)
            except Exception as exc:  # reported; the release step fails after the others ran
                errors[schema] = f"{type(exc).__name__}: {exc}".strip()
                failed.append(schema)
        pending = failed
        if not pending:
            break
    connection.set_schema_to_public()
    return results, errors


def report(command: BaseCommand, *, dry_run: bool, schemas: list[str] | None = None,
           verbosity: int = 1) -> None:
    """Align every tenant schema's constraint/index names with the template's; print what was
    (or, dry run, would be) renamed; fail after the rest ran if any schema could not be."""
    results, errors = names_align_all(dry_run=dry_run, schemas=schemas)
    verb = "would rename" if dry_run else "renamed"
    renamed = 0
    for result in results:
        for rename in result.renamed if verbosity else ():
            command.stdout.write(f"{result.schema}: {verb} {rename}")
        for rename in result.conflicts:
            command.stderr.write(f"{result.schema}: left as is, name taken: {rename}")
        if result.skipped:
            command.stderr.write(f"{result.schema}: skipped, {result.skipped}")
        renamed += len(result.renamed)
    for schema, error in errors.items():
        command.stderr.write(f"{schema}: failed, {error}")
    if verbosity:
        command.stdout.write(f"names: {len(results)} schemas checked, {renamed} {verb}, "
                             f"{len(errors)} failed")
    if errors:
        raise CommandError(f"could not align the names of {len(errors)} schema(s); re-run "
                           "`manage.py tenancy_align_names` before migrating them")


class Command(BaseCommand):
    help = ("Rename constraints and indexes of every business (and spare) schema that match the "
            "template's definition under another name (clone_schema's) to the template's name.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list what would change")
        parser.add_argument("--schema", action="append", dest="schemas",
                            help="only this schema (repeatable)")

    def handle(self, *args, dry_run=False, schemas=None, **options):
        report(self, dry_run=dry_run, schemas=schemas, verbosity=options["verbosity"])
