"""manage.py send_digest <business> [--week YYYY-Www] [--pdf-out FILE] [--dry-run] [--force]"""

from pathlib import Path

from django.core.management.base import CommandError

from apps.digest.content import digest_build, week_parse
from apps.digest.render import digest_render_pdf
from apps.digest.services import digest_send
from apps.tenancy.commands import BusinessCommand


class Command(BusinessCommand):
    help = ("Send a business's weekly digest once (idempotent per ISO week). --dry-run builds "
            "and renders without sending; --pdf-out writes the PDF; --force is an audited resend.")

    dry_run_help = "build and render only"

    def add_options(self, parser):
        parser.add_argument("--week", help="ISO week, e.g. 2026-W10 (default: this local week)")
        parser.add_argument("--pdf-out", help="write the digest PDF to this file")
        parser.add_argument("--force", action="store_true", help="resend even if already sent")

    def handle_business(self, biz, *, dry_run, week, pdf_out, force, **options):
        if week:
            try:
                week_parse(week)
            except ValueError:
                raise CommandError("--week must look like 2026-W10")
        if pdf_out:
            from apps.digest.content import week_label
            from apps.digest.selectors import local_today

            content = digest_build(biz, week or week_label(local_today(biz)))
            rendered = digest_render_pdf(content)
            Path(pdf_out).write_bytes(rendered.data)
            self.stdout.write(f"wrote {pdf_out} ({len(rendered.data)} bytes, "
                              f"{rendered.pages} page(s))")
        report = digest_send(biz, week, dry_run=dry_run, force=force, actor="manage.py")
        self.stdout.write(f"{report.key}: {report.state}"
                          + (f", sent {report.sent}" if report.sent else "")
                          + (f" ({report.detail})" if report.detail else ""))
