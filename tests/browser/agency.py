"""A demo agency synced from the real QBO sandbox, for browser tests.

The company directory is generated once per module and served by one sandbox. The business
has its own schema (``fernhill``): transactional tests flush the public tables after each test
(the Business row, its host, members, the QBO connection, actions) but schemas survive, so
``agency_ready`` puts the public rows back and runs a full sync before every test — every test
sees the books as they are in the sandbox now. The schema is dropped when the module ends.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from apps.accounts.models import Role, User
from apps.tenancy.models import Business
from tests.factories import make_member

SLUG = "fernhill"
NAME = "Fernhill & Finch Creative"
TIMEZONE = "America/Los_Angeles"
PASSWORD = "correct-horse-battery"


@dataclass
class Agency:
    business: Business
    owner: User
    sandbox: Any

    @property
    def host(self) -> str:
        return f"{self.business.slug}.localhost"


def company_generate(out_dir: Path) -> Path:
    """The demo agency at a third of its size, one year of books (about 1,300 records)."""
    from apps.demo.generator import generate_company

    generate_company(out_dir, seed=3, years=1, scale=0.3)
    return out_dir / "qbo"


def schema_drop(schema: str = SLUG) -> None:
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def agency_ready(sandbox: Any) -> Agency:
    """Business row + host (re-created after a flush; the schema and its data are kept),
    the real OAuth flow against the sandbox, then a full sync (which refreshes the tray)."""
    from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
    from apps.integrations.sync.qbo_sync import qbo_sync_run
    from apps.tenancy.services import business_provision

    connection.set_schema_to_public()
    business = Business.objects.filter(slug=SLUG).first() or business_provision(
        slug=SLUG, name=NAME, timezone=TIMEZONE
    )
    sandbox_connect(business, sandbox.base_url, realm=sandbox.realm)
    run = qbo_sync_run(business, full=True)
    assert run.state == "succeeded", run.error
    business.refresh_from_db()
    connection.set_schema_to_public()
    owner = make_member(business, Role.OWNER, email="owner@fernhill.test")
    return Agency(business=business, owner=owner, sandbox=sandbox)


def runway_json(business: Business) -> dict[str, Any]:
    """What ``manage.py runway <slug> --json`` prints, amounts as Decimal."""
    out = io.StringIO()
    call_command("runway", business.slug, "--json", stdout=out)
    connection.set_schema_to_public()
    return json.loads(out.getvalue(), parse_float=Decimal)


def money(text: str) -> Decimal:
    """'$141,121.28' / '-$5.00' / '1,234.50 CAD' → Decimal."""
    cleaned = re.sub(r"[^0-9.\-]", "", text.replace("−", "-"))
    return Decimal(cleaned)


def week_of(runway: dict[str, Any], day: str) -> dict[str, Any]:
    """The forecast week (Monday start) holding ``day`` (ISO date)."""
    from datetime import date, timedelta

    target = date.fromisoformat(day)
    for week in runway["weeks"]:
        start = date.fromisoformat(week["week_start"])
        if start <= target < start + timedelta(days=7):
            return week
    raise AssertionError(f"{day} is outside the 13-week forecast")


def actions_run(business: Business, kind: str) -> list[Any]:
    """Execute the business's pending outbox actions of ``kind`` — exactly what the
    ``sync.action_execute`` task calls — and return them refreshed."""
    from apps.integrations.sync.models import Action
    from apps.integrations.sync.outbox import action_execute

    connection.set_schema_to_public()
    done = []
    for action in Action.objects.filter(business=business, kind=kind).order_by("pk"):
        action_execute(action)
        action.refresh_from_db()
        done.append(action)
    connection.set_schema_to_public()
    return done


def sign_in(page: Any, base: str, port: int, email: str, slug: str = SLUG) -> None:
    """Sign in on the public host; the hand-off lands on the business's dashboard."""
    page.goto(f"{base}/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"http://{slug}.localhost:{port}/**")


def admin_sign_in(page: Any, base: str, email: str, password: str, device: Any) -> None:
    """The staff admin's two-step sign-in: password + TOTP code, then the device the code
    came from (the OTP admin form asks for it once the password is accepted)."""
    from django_otp.oath import totp

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                drift=device.drift)
    token = f"{code:06d}"
    page.goto(f"{base}/admin/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.fill("input[name=otp_token]", token)
    page.click("input[type=submit][value='Log in']")
    page.select_option("select[name=otp_device]", value=device.persistent_id)
    page.fill("input[name=password]", password)
    page.fill("input[name=otp_token]", token)
    page.click("input[type=submit][value='Log in']")
    page.wait_for_load_state()
    assert page.url == f"{base}/admin/", page.inner_text("body")[:800]


@dataclass
class Answer:
    status: int  # 302 for a redirect (fetch sees an opaque redirect)
    text: str


POST_SCRIPT = """async ([url, data, secret]) => {
  let token = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1];
  if (!token) { token = secret; document.cookie = `csrftoken=${token}; path=/`; }
  const response = await fetch(url, {method: "POST", body: new URLSearchParams(data),
    headers: {"X-CSRFToken": token}, credentials: "same-origin", redirect: "manual"});
  return [response.type === "opaqueredirect" ? 302 : response.status,
          response.type === "opaqueredirect" ? "" : await response.text()];
}"""


def post_as_page(page: Any, url: str, data: dict[str, str] | None = None) -> Answer:
    """A POST sent by a script in the signed-in page (its cookies, a valid CSRF pair), as an
    attacker or a hand-edited form could send it. The page must be on ``url``'s host."""
    secret = secrets.token_hex(16)  # 32 characters: Django accepts an unmasked secret
    status, text = page.evaluate(POST_SCRIPT, [url, data or {}, secret])
    return Answer(status=status, text=text)


@pytest.fixture(scope="module", name="sandbox")
def sandbox_fixture(tmp_path_factory, django_db_blocker):
    """One generated company and one sandbox per module; the business's schema goes away
    with it. Tasks are published to memory, never to the shared Redis queue."""
    from oodaloo.celery import app as celery_app
    from tests.integrations.sync.qbo_company import start

    broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = "memory://"
    company = company_generate(tmp_path_factory.mktemp("agency"))
    with django_db_blocker.unblock():
        schema_drop()
    handle = start(company)
    yield handle
    handle.stop()
    with django_db_blocker.unblock():
        schema_drop()
    celery_app.conf.broker_url = broker


@pytest.fixture(name="agency")
def agency_fixture(live_site, sandbox, settings) -> Agency:
    settings.QBO_LIMITER = False
    return agency_ready(sandbox)
