"""The base of the management commands that act on one business:
`manage.py <command> <business slug> [its own options] [--dry-run]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.tenancy.models import Business


class BusinessCommand(BaseCommand):
    """Subclasses add their own options in `add_options`, say what --dry-run does, and act in
    `handle_business(business, dry_run=, **their options)`."""

    dry_run_help = "print, change nothing"

    def add_arguments(self, parser):
        parser.add_argument("business", help="business slug")
        self.add_options(parser)
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)

    def add_options(self, parser) -> None:
        pass

    def handle(self, *args, business: str, dry_run: bool, **options):
        found = Business.objects.real().filter(slug=business).first()
        if found is None:
            raise CommandError(f"no business {business!r}")
        return self.handle_business(found, dry_run=dry_run, **options)

    def handle_business(self, business: Business, *, dry_run: bool, **options):
        raise NotImplementedError
