"""Sync one business now: ``manage.py sync <business-slug> [--full] [--source qbo|plaid]``."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from apps.integrations.sync.management.commands.connect_qbo import progress_printer
from apps.tenancy.models import Business

# The Plaid sync lives with the Plaid integration; it is found by this dotted path.
PLAID_SYNC_RUNNER = "apps.integrations.plaid.sync.plaid_sync_run"


class Command(BaseCommand):
    help = "Sync a business from QuickBooks (default) or Plaid, printing progress."

    def add_arguments(self, parser):
        parser.add_argument("business", help="business slug")
        parser.add_argument("--full", action="store_true", help="full sync instead of CDC")
        parser.add_argument("--source", choices=["qbo", "plaid"], default="qbo")

    def handle(self, *args, **opts):
        business = Business.objects.real().filter(slug=opts["business"]).first()
        if business is None:
            raise CommandError(f"no business {opts['business']!r}")
        if opts["source"] == "plaid":
            return self._plaid(business, opts)
        from apps.integrations.sync.connection import ConnectError
        from apps.integrations.sync.qbo_sync import SyncBusy, qbo_sync_run

        try:
            run = qbo_sync_run(business, full=opts["full"], progress=progress_printer(self.stdout))
        except (ConnectError, SyncBusy) as exc:
            raise CommandError(str(exc))
        self.stdout.write("")
        self.stdout.write(
            f"{run.kind} sync {run.state}: {sum(run.entities.values())} records, "
            f"{run.requests} requests, {run.quarantined} quarantined"
        )
        for entity, count in sorted(run.entities.items()):
            self.stdout.write(f"  {entity:<12} {count}")

    def _plaid(self, business, opts):
        try:
            runner = import_string(getattr(settings, "PLAID_SYNC_RUNNER", PLAID_SYNC_RUNNER))
        except ImportError:
            raise CommandError("the Plaid sync is not installed (PLAID_SYNC_RUNNER)")
        result = runner(business, full=opts["full"])
        self.stdout.write(f"plaid sync: {result}")
