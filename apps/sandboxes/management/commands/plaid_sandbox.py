"""`manage.py plaid_sandbox --bank DIR --port N [--faults SPEC]`: serve a bank as Plaid does."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.sandboxes.plaid.cli import add_arguments, run


class Command(BaseCommand):
    help = "Run the Plaid sandbox server over a bank directory (see docs/plaid.md)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        add_arguments(parser)

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        code = run(_Options(options), out=self.stdout, err=self.stderr)
        if code:
            raise CommandError("the Plaid sandbox could not start")


class _Options:
    def __init__(self, options: dict) -> None:
        self.__dict__.update(options)
