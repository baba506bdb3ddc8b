"""`manage.py runway <business-slug> [--as-of YYYY-MM-DD] [--json]` — DESIGN §4 figures."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.runway.engine import to_json
from apps.runway.report import runway_table
from apps.runway.services import runway_compute
from apps.tenancy.models import Business


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date like 2025-03-12, not {text!r}")


class Command(BaseCommand):
    help = (
        "Print a business's runway: cash, reserved, available, daily burn, runway days, the "
        "13-week forecast with its low point and cash-zero week, and AR/AP aging. "
        "--json prints the documented JSON (docs/runway.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("business", help="the business's slug (or schema name)")
        parser.add_argument(
            "--as-of", type=_day, default=None,
            help="compute as of this local date (default: today in the business's time zone)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, business: str, as_of: date | None, json: bool, **options) -> None:
        found = Business.objects.real().filter(slug=business).first() or (
            Business.objects.real().filter(schema_name=business).first()
        )
        if found is None:
            raise CommandError(f"no business {business!r}")
        result = runway_compute(found, as_of=as_of)
        if json:
            self.stdout.write(_dumps(to_json(result)))
        else:
            self.stdout.write(runway_table(result, business_name=found.name))


def _dumps(payload: dict) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False)
