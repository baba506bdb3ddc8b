"""manage.py run_reminders <business> [--date YYYY-MM-DD] [--dry-run]"""

from datetime import date

from django.core.management.base import CommandError
from django_tenants.utils import tenant_context

from apps.ar.reminders.sequences import collections_settings
from apps.collections.services import local_day, reminders_plan_for, reminders_run
from apps.core.money import format_money
from apps.tenancy.commands import BusinessCommand


class Command(BusinessCommand):
    help = ("Print each reminder email due on a date (customer, step, invoices, total, "
            "recipients) and send them, at most once per invoice and step. --dry-run only prints.")

    dry_run_help = "print, send nothing"

    def add_options(self, parser):
        parser.add_argument("--date", help="the business's local date (default: today there)")

    def handle_business(self, biz, *, dry_run: bool, date: str | None, **options):
        try:
            day = _parse(date) if date else local_day(biz)
        except ValueError:
            raise CommandError("--date must look like 2026-03-12")
        plan = reminders_plan_for(biz, day, include_held=True, preview=dry_run)
        for e in plan.emails:
            lead = e.lead.step
            numbers = ", ".join(i.invoice.doc_number or i.invoice.qbo_id for i in e.items)
            to = ", ".join(c.email for c in e.contacts) or "nobody"
            self.stdout.write(
                f"{e.customer.display_name}: {lead.label} ({lead.tone}) · invoices {numbers} · "
                f"total {format_money(e.total, e.currency)} · to {to}"
                + (f" · {e.shift} days sooner (habit)" if e.shift else "")
                + (f" · NOT SENT: {e.why_not}" if e.why_not else ""))
        self.stdout.write(f"{len(plan.sendable)} email(s) due on {day.isoformat()}")
        if dry_run:
            return
        with tenant_context(biz):
            enabled = collections_settings().enabled
        if not enabled:
            self.stdout.write("reminders are off for this business (Collections → Settings): "
                              "nothing sent")
            return
        report = reminders_run(biz, day)
        self.stdout.write(f"{report.key}: {report.state}, sent {report.sent}")


def _parse(value: str) -> date:
    return date.fromisoformat(value)
