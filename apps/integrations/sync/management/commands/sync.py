"""Sync one business now: ``manage.py sync <business-slug> [--full] [--source qbo|plaid]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.core import hooks
from apps.integrations.sync.management.commands.connect_qbo import progress_printer
from apps.tenancy.models import Business

# The Plaid feed sync is the bank app's (a domain this layer cannot import):
# `run(business, full=...)`, plugged at this point in oodaloo/wiring.py.
PLAID_SYNC_RUN = "plaid.sync_run"


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
            runner = hooks.one(PLAID_SYNC_RUN)
        except hooks.HookMissing as exc:
            raise CommandError(f"the Plaid sync is not installed ({exc})")
        result = runner(business, full=opts["full"])
        self.stdout.write(f"plaid sync: {result}")
