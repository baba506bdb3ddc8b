"""`manage.py qbo_sandbox --company DIR --port N ...`: runs the QBO sandbox server."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.sandboxes.qbo.cli import add_arguments, serve


class Command(BaseCommand):
    help = "Run the local QuickBooks Online v3 sandbox server (see docs/qbo-sandbox.md)."

    def add_arguments(self, parser) -> None:
        add_arguments(parser)

    def handle(self, *args, **options) -> None:
        status = serve(options, out=self.stdout)
        if status:
            raise CommandError(f"qbo_sandbox exited with status {status}")
