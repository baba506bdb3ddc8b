"""`make demo`: the demo agencies served through the local QBO and Plaid sandboxes.

Generates the companies once (under .data/demo/), starts one QBO and one Plaid sandbox per
business, provisions the businesses, connects them through the real OAuth flow, runs the first
sync, then serves web + worker + beat until Ctrl-C or SIGTERM, either of which ends every
process it started (apps/demo/supervise.py). A re-run reuses everything and starts fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.accounts.models import User
from apps.accounts.services import business_create_with_owner
from apps.demo.generator import generate_company
from apps.demo.services.staff import demo_staff_ensure
from apps.demo.supervise import Children
from apps.sandboxes.qbo import start_sandbox_process
from apps.tenancy.models import Business
from apps.tenancy.urls import business_url, public_url

OWNER_PASSWORD = "oodaloo-demo-owner"


@dataclass(frozen=True)
class DemoBusiness:
    slug: str
    name: str
    seed: int
    timezone: str
    qbo_port: int
    plaid_port: int
    real_books: bool = False  # DESIGN §4b books: payroll JEs, card payments, EUR, CAD, ...


DEMO_BUSINESSES = (
    DemoBusiness("demo", "Fernhill & Finch Creative", 1, "America/Los_Angeles", 8801, 8802),
    DemoBusiness("northwind", "Northwind Studio", 7, "America/New_York", 8811, 8812,
                 real_books=True),
)


class Command(BaseCommand):
    help = "Set up the demo agencies (generate, sandboxes, connect, sync) and serve the portal."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")
        parser.add_argument("--rebuild", action="store_true", help="regenerate the companies")
        parser.add_argument("--port", type=int, default=int(settings.SITE_PORT or 8000))

    def handle(self, *args, **opts):
        root = Path(settings.BASE_DIR) / ".data" / "demo"
        with Children() as children:
            for demo in DEMO_BUSINESSES:
                company_dir = root / demo.slug
                if opts["rebuild"] or not (company_dir / "summary.json").exists():
                    self.stdout.write(f"Generating {demo.name} …")
                    generate_company(company_dir, seed=demo.seed, years=2, scale=1.0,
                                     name=demo.name, real_books=demo.real_books)
                qbo = start_sandbox_process(
                    company_dir / "qbo", port=demo.qbo_port,
                    webhook_url=public_url("/webhooks/qbo/"),
                    verifier_token=settings.QBO_WEBHOOK_VERIFIER_TOKEN,
                )
                children.stoppers.append(qbo.stop)
                children.add(subprocess.Popen(
                    [sys.executable, "-m", "apps.sandboxes.plaid", "--bank",
                     str(company_dir / "plaid"), "--port", str(demo.plaid_port)],
                    cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL,
                ))
                self._business_ready(demo, qbo)
            staff = demo_staff_ensure()
            self._print_welcome(staff)
            if opts["no_serve"]:
                return
            for proc in self._serve(opts["port"]):
                children.add(proc)
            self.stdout.write(self.style.SUCCESS("Serving. Press Ctrl-C to stop."))
            children.wait()

    def _business_ready(self, demo: DemoBusiness, qbo) -> None:
        business = Business.objects.filter(slug=demo.slug).first()
        owner_email = f"owner@{demo.slug}.localhost"
        if business is None:
            business, _, _ = business_create_with_owner(
                slug=demo.slug, name=demo.name, owner_email=owner_email,
                timezone_name=demo.timezone, password=OWNER_PASSWORD,
            )
        else:
            owner = User.objects.get(email=owner_email)
            owner.set_password(OWNER_PASSWORD)
            owner.save(update_fields=["password"])
        from apps.integrations.sync.models import QboConnection

        connection = QboConnection.objects.filter(business=business).first()
        connected = connection is not None and connection.status == "connected"
        if not connected or connection.realm_id != qbo.realm:
            self.stdout.write(f"Connecting {demo.name} to its QuickBooks sandbox …")
            call_command("connect_qbo", demo.slug, "--sandbox", qbo.base_url, "--realm", qbo.realm)
        else:
            call_command("sync", demo.slug)
        plaid_host = f"http://127.0.0.1:{demo.plaid_port}"
        call_command("connect_bank", demo.slug, "--sandbox", plaid_host, "--accept-links",
                     "--webhook", public_url("/webhooks/plaid/"))

    def _serve(self, port: int) -> list[subprocess.Popen]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        py = sys.executable
        commands = [
            [py, "manage.py", "runserver", f"0.0.0.0:{port}", "--noreload"],
            [py, "-m", "celery", "-A", "oodaloo", "worker", "-l", "warning", "--concurrency", "2",
             "-Q", "celery"],
            # Untrusted files on their own worker (as the Procfile's `documents` process).
            [py, "-m", "celery", "-A", "oodaloo", "worker", "-l", "warning", "--concurrency", "1",
             "-Q", settings.DOCUMENTS_QUEUE, "-n", "documents@%h"],
            [py, "-m", "celery", "-A", "oodaloo", "beat", "-l", "warning"],
        ]
        return [subprocess.Popen(c, cwd=settings.BASE_DIR, env=env) for c in commands]

    def _print_welcome(self, staff) -> None:
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS("Oodaloo demo is ready"))
        for demo in DEMO_BUSINESSES:
            business = Business.objects.get(slug=demo.slug)
            w(f"  {demo.name}: {business_url(business)}")
            w(f"    owner: owner@{demo.slug}.localhost / {OWNER_PASSWORD}")
        w(f"  Sign in / sign up: {public_url('/')}")
        w(f"  Staff admin: {public_url('/admin/')}")
        w(f"    staff: {staff.email} / {staff.password}")
        w(f"    2FA: add this TOTP secret to an authenticator app: {staff.totp_secret}")
        w(f"         ({staff.otpauth_uri})")
        w(f"         or use the one-time backup code: {staff.backup_code}")
        w("")
