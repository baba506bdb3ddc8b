"""The base of the management commands that act on one business:
`manage.py <command> <business slug> [its own options] [--dry-run]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.tenancy.models import Business


class BusinessCommand(BaseCommand):
    """Subclasses add their own options in `add_options` and say what --dry-run does."""

    dry_run_help = "print, change nothing"

    def add_arguments(self, parser):
        parser.add_argument("business", help="business slug")
        self.add_options(parser)
        parser.add_argument("--dry-run", action="store_true", help=self.dry_run_help)

    def add_options(self, parser) -> None:
        pass

    def business_get(self, slug: str) -> Business:
        business = Business.objects.real().filter(slug=slug).first()
        if business is None:
            raise CommandError(f"no business {slug!r}")
        return business
