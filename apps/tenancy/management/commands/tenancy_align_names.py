from django.core.management.base import BaseCommand, CommandError

from apps.tenancy.names import names_align_all


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
