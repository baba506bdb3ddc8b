"""Connect a business to QBO without a browser (development: against the local sandbox).

    manage.py connect_qbo <business-slug> --sandbox http://127.0.0.1:8801 [--realm ID] [--no-sync]

Runs the real OAuth flow: opens the authorize URL (the sandbox auto-approves), follows its
redirect to read the code and realmId, exchanges the code, stores the tokens, then runs the
full sync (unless --no-sync).
"""

from __future__ import annotations

import sys
from urllib.parse import parse_qs, urlparse

import requests
from django.core.management.base import BaseCommand, CommandError

from apps.integrations.sync.connection import (
    ConnectError,
    qbo_authorization_url,
    qbo_connect_complete,
    qbo_state_check,
    qbo_state_make,
)
from apps.tenancy.models import Business


def sandbox_connect(business: Business, sandbox_url: str, realm: str | None = None):
    """The whole OAuth flow against a sandbox; returns the QboConnection (no sync started)."""
    base = sandbox_url.rstrip("/")
    environment = f"{base}/.well-known/openid_configuration"
    state = qbo_state_make(business)
    url = qbo_authorization_url(business, state, environment=environment)
    if realm:
        url += f"&realmId={realm}"
    resp = requests.get(url, allow_redirects=False, timeout=10)
    location = resp.headers.get("Location", "")
    if resp.status_code not in (301, 302, 303, 307) or not location:
        raise ConnectError(f"authorize endpoint answered {resp.status_code}, not a redirect")
    query = parse_qs(urlparse(location).query)
    if "error" in query:
        raise ConnectError(f"authorization refused: {query['error'][0]}")
    qbo_state_check(business, query.get("state", [""])[0])
    code = query.get("code", [""])[0]
    realm_id = query.get("realmId", [realm or ""])[0]
    return qbo_connect_complete(
        business, code, realm_id, base, environment=environment, enqueue_sync=False,
        actor="connect_qbo command",
    )


def progress_printer(stream=None):
    """A one-line progress display: entity and running count."""
    stream = stream or sys.stdout
    totals: dict[str, int] = {}

    def show(entity: str, n: int) -> None:
        totals[entity] = totals.get(entity, 0) + n
        done = sum(totals.values())
        bar = "#" * min(40, done // 250 + 1)
        stream.write(f"\r{bar:<40} {done:>8} records  {entity:<12} {totals[entity]:>7}")
        stream.flush()

    return show


class Command(BaseCommand):
    help = "Connect a business to QuickBooks (the local sandbox) non-interactively, then sync."

    def add_arguments(self, parser):
        parser.add_argument("business", help="business slug")
        parser.add_argument("--sandbox", required=True, help="sandbox base URL, e.g. "
                            "http://127.0.0.1:8801")
        parser.add_argument("--realm", help="realm id to ask for (default: the sandbox's)")
        parser.add_argument("--no-sync", action="store_true", help="do not run the full sync")

    def handle(self, *args, **opts):
        from apps.integrations.sync.qbo_sync import qbo_sync_run

        business = Business.objects.real().filter(slug=opts["business"]).first()
        if business is None:
            raise CommandError(f"no business {opts['business']!r}")
        try:
            conn = sandbox_connect(business, opts["sandbox"], opts.get("realm"))
        except (ConnectError, requests.RequestException) as exc:
            raise CommandError(f"connect failed: {exc}")
        self.stdout.write(
            f"Connected {business.slug} to {conn.company_name or '(unnamed)'} "
            f"(realm {conn.realm_id})"
        )
        if opts["no_sync"]:
            return
        run = qbo_sync_run(business, full=True, progress=progress_printer(self.stdout))
        self.stdout.write("")
        self.stdout.write(
            f"Full sync {run.state}: {sum(run.entities.values())} records, "
            f"{run.requests} requests, {run.quarantined} quarantined"
        )
