"""manage.py make_demo_company: write the seeded demo agency (QBO + Plaid directories)."""

from __future__ import annotations

import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from apps.demo.generator import generate_company
from apps.demo.generator.company import DEFAULT_NAME


class Command(BaseCommand):
    help = ("Generate the demo service agency: DIR/qbo/<Entity>.json (QBO v3 wire JSON), "
            "DIR/plaid/accounts.json + transactions.json, and DIR/summary.json.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="output directory")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--years", type=float, default=2, help="history length (default 2)")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="volume multiplier (1 = ~$2.5M revenue, ~20 staff)")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="last day of history, YYYY-MM-DD (default today)")
        parser.add_argument("--realm", default=None, help="QBO realm id (default from seed)")
        parser.add_argument("--name", default=DEFAULT_NAME, help="company name")
        parser.add_argument("--real-books", action="store_true",
                            help="payroll journal entries, card payments, a euro account, a "
                                 "CAD client, receipts, refunds, vendor credits (DESIGN §4b)")
        parser.add_argument("--json", action="store_true", help="print summary.json")

    def handle(self, *args, **opts) -> None:
        started = time.perf_counter()
        summary = generate_company(opts["out"], seed=opts["seed"], years=opts["years"],
                                   scale=opts["scale"], as_of=opts["as_of"],
                                   realm=opts["realm"], name=opts["name"],
                                   real_books=opts["real_books"])
        elapsed = time.perf_counter() - started
        if opts["json"]:
            self.stdout.write(json.dumps(summary.data, indent=1))
            return
        c = summary.counts
        self.stdout.write(
            f"{summary.data['company_name']} (realm {summary.realm}) as of {summary.as_of}: "
            f"{c['Invoice']} invoices, {c['Bill']} bills, {c['Purchase']} purchases, "
            f"{c['plaid_transactions']} bank transactions; cash {summary.cash}, "
            f"daily burn {summary.daily_burn}, runway {summary.runway_days} days "
            f"-> {summary.out_dir} in {elapsed:.1f}s")
