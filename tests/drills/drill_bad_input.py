"""Bad input sweep (docs/reliability.md, "Bad input"): malformed QBO records through a real sync,
forged and garbage webhooks, forged and replayed portal forms, hostile uploads. Every case must
end in a clear 4xx or the documented state; a single 500 fails the drill, and so does anything
lost (a record neither stored nor quarantined, a document stuck half-way).

Requests go through Django's test client with ``raise_request_exception=False`` so a crash is
counted as a 500 instead of stopping the sweep; QBO is the real sandbox over HTTP.
"""

from __future__ import annotations

import base64
import io
import json
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any


@dataclass
class Sweep:
    cases: int = 0
    groups: dict[str, int] = field(default_factory=dict)
    server_errors: int = 0
    lost: int = 0
    failures: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "", *, status: int | None = None,
              lost: int = 0) -> bool:
        self.cases += 1
        group = name.split(":")[0].split(" ")[0]
        self.groups[group] = self.groups.get(group, 0) + 1
        self.server_errors += status is not None and status >= 500
        self.lost += lost
        if not ok:
            self.failures.append(f"{name}: {detail}" if detail else name)
        return ok

    def expect(self, name: str, response: Any, statuses: tuple[int, ...], *,
               changed: bool = False, message: bool = False) -> bool:
        """An HTTP case: the status is one of ``statuses`` and nothing changed."""
        status = response.status_code
        ok = status in statuses and not changed
        detail = f"got {status}" + (" and state changed" if changed else "")
        if ok and message:
            text = response.content.decode(errors="replace")
            ok = len(text.strip()) > 0
            detail = "no message in the answer"
        return self.check(name, ok, detail, status=status)

    def verdict(self) -> str:
        line = f"{self.cases} cases, {self.server_errors} server errors, {self.lost} lost"
        if self.failures:
            line += f", {len(self.failures)} failed; e.g. " + "; ".join(self.failures[:6])
        return line

    @property
    def ok(self) -> bool:
        return not (self.server_errors or self.lost or self.failures)


class Published:
    """Counts Celery messages sent (the broker is in memory: nothing reaches a real worker)."""

    def __init__(self) -> None:
        self.tasks: list[str] = []

    def __call__(self, sender=None, **_kw) -> None:
        self.tasks.append(str(sender))

    def __enter__(self) -> Published:
        from celery.signals import before_task_publish

        before_task_publish.connect(self, weak=False)
        return self

    def __exit__(self, *exc) -> None:
        from celery.signals import before_task_publish

        before_task_publish.disconnect(self)


def client(host: str, user: Any = None, *, csrf: bool = False):
    from django.test import Client

    c = Client(HTTP_HOST=host, raise_request_exception=False, enforce_csrf_checks=csrf)
    if user is not None:
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


# --- 1. malformed QBO records -------------------------------------------------------------


def broken_rows() -> dict[str, list[dict[str, Any]]]:
    """Records no parser should choke on (beyond tests/integrations/sync/qbo_company.py's)."""
    from tests.integrations.sync.qbo_company import meta

    def obj(qbo_id: str, **fields: Any) -> dict[str, Any]:
        return {"Id": qbo_id, "SyncToken": "0", "MetaData": meta(), **fields}

    return {
        "Bill": [
            # 905: accepted (an inline id is still an id)
            obj("905", VendorRef="56", TxnDate="2026-10-01", TotalAmt=10, Balance=10),
            obj("906", VendorRef={"value": "56"}, TxnDate="2026-10-01", TotalAmt=10, Balance=10,
                Line="oops"),
            obj("907", VendorRef={"value": "56"}, TxnDate="2026-10-01", TotalAmt={"v": 1},
                Balance=1),
            obj("908", VendorRef={"value": "56"}, TxnDate="yesterday", TotalAmt=10, Balance=10),
            obj("909", VendorRef={"value": "56"}, TxnDate="2026-10-01", TotalAmt=True,
                Balance=True),
            {"Id": "910", "VendorRef": {"value": "56"}, "TxnDate": "2026-10-01",
             "TotalAmt": 10, "Balance": 10},  # no SyncToken, no MetaData
            obj("911", VendorRef={"value": "56"}, TxnDate="0000-00-00", TotalAmt="1e999",
                Balance="NaN"),
            obj("912", VendorRef={"value": ["56"]}, TxnDate=20261001, TotalAmt=None,
                Balance=None, DueDate={"d": 1}),
        ],
        "Invoice": [
            obj("960", TxnDate="2026-10-01", TotalAmt=10, Balance=10),
            obj("961", CustomerRef={"value": "1001"}, TxnDate="2026-10-01", TotalAmt="NaN",
                Balance="NaN"),
            obj("962", CustomerRef={"value": "1001"}, TxnDate="2026-10-01",
                TotalAmt=10**30, Balance=10**30),
            obj("963", CustomerRef={"value": "1001"}, TxnDate="2026-10-01", TotalAmt=-50,
                Balance=-50),
        ],
        "Payment": [
            obj("970", CustomerRef={"value": "1001"}, TxnDate="2026-10-01", TotalAmt=5,
                Line=[{"Amount": "x", "LinkedTxn": "203"}]),
            obj("971", CustomerRef={"value": "1001"}, TxnDate="2026-10-01", TotalAmt=5,
                Line=[None, 7, {"Amount": 5, "LinkedTxn": [{"TxnId": None}]}]),
        ],
        "Vendor": [obj("980", Balance="lots"), obj("981", DisplayName=None)],
        "Account": [obj("990", Name=None, AccountType=None)],
        "Estimate": [obj("951", CustomerRef={"value": "1001"}, TotalAmt=10)],
    }


def qbo_records(sweep: Sweep, business: Any, tmp: Path) -> Any:
    """Sync a company full of broken records: every record stored or quarantined, none lost."""
    from django_tenants.utils import tenant_context

    from apps.integrations.sync.management.commands.connect_qbo import sandbox_connect
    from apps.integrations.sync.models import QuarantinedRecord
    from apps.integrations.sync.qbo_sync import SYNC_ORDER, qbo_sync_run
    from apps.sandboxes.qbo import SandboxLoadError
    from tests.drills.drill_qbo_faults import overridden, qbo_models
    from tests.integrations.sync.qbo_company import start, write_company

    # A company file that is not JSON at all: the sandbox refuses to start and names the file.
    broken_dir = write_company(tmp / "broken-json")
    (broken_dir / "Invoice.json").write_text('{"Invoice": [{"Id": "1", "TotalAmt": 1,,}')
    try:
        start(broken_dir).stop()
        sweep.check("qbo: company file with broken JSON", False, "the sandbox started")
    except SandboxLoadError as exc:
        sweep.check("qbo: company file with broken JSON", "Invoice.json" in str(exc),
                    f"error does not name the file: {exc}")

    # A file for an entity type QBO does not have: refused at start, named, never skipped.
    unknown_dir = write_company(tmp / "unknown-entity")
    (unknown_dir / "Widget.json").write_text(json.dumps({"Widget": [{"Id": "1", "Name": "x"}]}))
    try:
        start(unknown_dir).stop()
        sweep.check("qbo: company file of an unknown entity type", False, "the sandbox started")
    except SandboxLoadError as exc:
        sweep.check("qbo: company file of an unknown entity type", "Widget.json" in str(exc),
                    f"error does not name the file: {exc}")

    directory = write_company(tmp / "bad", malformed=True)
    extra = broken_rows()
    for entity, rows in extra.items():
        path = directory / f"{entity}.json"
        current = json.loads(path.read_text())[entity] if path.exists() else []
        path.write_text(json.dumps({entity: current + rows}))
    sb = start(directory)
    try:
        with overridden(QBO_RETRY_BASE=0.02, QBO_RETRY_CAP=0.2):
            sandbox_connect(business, sb.base_url)
            entities = [*SYNC_ORDER, "Estimate"]
            try:
                run = qbo_sync_run(business, full=True, entities=entities)
                state, error = run.state, run.error
            except Exception as exc:  # a crash of the sync is what this case looks for
                state, error = "crashed", f"{type(exc).__name__}: {exc}"
            sweep.check("qbo: sync of broken records completes", state == "succeeded", error)
    finally:
        sb.stop()

    quarantined = dict(QuarantinedRecord.objects.filter(business=business, resolved_at=None)
                       .values_list("external_id", "reason"))
    quarantined_keys = set(QuarantinedRecord.objects.filter(business=business, resolved_at=None)
                           .values_list("entity", "external_id"))
    unreasoned = [k for k, r in quarantined.items() if not (r or "").strip()]
    sweep.check("qbo: every quarantined record has a reason", not unreasoned, str(unreasoned))
    # 905 (VendorRef as a bare id) is accepted on purpose: some payloads inline the id.
    must_quarantine = {("Bill", i) for i in ("901", "902", "903", "904", "906", "907", "908",
                                             "909", "910", "911", "912")}
    must_quarantine |= {("Invoice", "960"), ("Invoice", "961"), ("Estimate", "950"),
                        ("Estimate", "951")}
    missing = sorted(must_quarantine - quarantined_keys)
    sweep.check("qbo: malformed records quarantined", not missing, f"not quarantined: {missing}")

    lost = []
    with tenant_context(business):
        for entity, model in qbo_models().items():
            path = directory / f"{entity}.json"
            if not path.exists():
                continue
            ids = {str(r["Id"]) for r in json.loads(path.read_text())[entity]}
            stored = set(model.objects.filter(qbo_id__in=ids).values_list("qbo_id", flat=True))
            lost += [f"{entity} {i}" for i in sorted(ids - stored)
                     if (entity, i) not in quarantined_keys]
        good = dict(qbo_models()["Bill"].objects.filter(qbo_id__in=["101", "102", "103"])
                    .values_list("qbo_id", "balance"))
    sweep.check("qbo: every record stored or quarantined", not lost, f"lost {lost[:5]}",
                lost=len(lost))
    from decimal import Decimal

    sweep.check("qbo: good records intact",
                good == {"101": Decimal("500.00"), "102": Decimal("700.00"),
                         "103": Decimal("0.00")}, str(good))
    return sb


# --- 2. webhooks --------------------------------------------------------------------------


def webhooks(sweep: Sweep, business: Any, tmp: Path) -> None:
    from django.conf import settings

    from apps.sandboxes.qbo import sign_webhook_body

    public = client("localhost")
    with Published() as sent:
        # QBO: verify the intuit-signature first; a verified but unreadable body is a 400.
        url = "/webhooks/qbo/"
        token = settings.QBO_WEBHOOK_VERIFIER_TOKEN
        body = json.dumps([{"specversion": "1.0", "id": str(uuid.uuid4()),
                            "type": "qbo.bill.updated.v1", "intuitentityid": "101",
                            "intuitaccountid": "123", "time": "2026-11-01T00:00:00Z",
                            "data": {}}]).encode()
        good_sig = sign_webhook_body(body, token)
        cases = [
            ("qbo webhook: no signature", body, {}, (401,)),
            ("qbo webhook: forged signature", body,
             {"HTTP_INTUIT_SIGNATURE": sign_webhook_body(body, "not-the-token")}, (401,)),
            ("qbo webhook: signature of another body", body.replace(b"101", b"102"),
             {"HTTP_INTUIT_SIGNATURE": good_sig}, (401,)),
            ("qbo webhook: signature not base64", body, {"HTTP_INTUIT_SIGNATURE": "%%%"},
             (401,)),
            ("qbo webhook: empty body", b"", {}, (401,)),
        ]
        for garbage in (b"not json", b"42", b'{"eventNotifications": "x"}',
                        b'[{"type": 5}]', b"\xff\xfe\x00", b'{"eventNotifications": [null]}'):
            cases.append((f"qbo webhook: signed garbage {garbage[:20]!r}", garbage,
                          {"HTTP_INTUIT_SIGNATURE": sign_webhook_body(garbage, token)}, (400,)))
        for name, payload, headers, statuses in cases:
            response = public.post(url, payload, content_type="application/json", **headers)
            sweep.expect(name, response, statuses)
        response = public.get(url)
        sweep.expect("qbo webhook: GET", response, (405,))
        sweep.check("qbo webhooks: nothing enqueued", not sent.tasks, str(sent.tasks))

    plaid_webhooks(sweep, tmp, public)

    # anymail (delivery tracking and inbound bills): basic auth checked before the body.
    user, _, password = settings.ANYMAIL["WEBHOOK_SECRET"].partition(":")
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    wrong = "Basic " + base64.b64encode(b"someone:guessing").decode()
    with Published() as sent:
        for url in ("/anymail/postmark/tracking/", "/anymail/sendgrid/tracking/",
                    "/webhooks/email/inbound/postmark/"):
            for name, headers, payload, statuses in (
                ("no credentials", {}, b'{"RecordType": "Delivery"}', (400, 401, 403)),
                ("wrong credentials", {"HTTP_AUTHORIZATION": wrong},
                 b'{"RecordType": "Delivery"}', (400, 401, 403)),
                ("garbage body", {"HTTP_AUTHORIZATION": auth}, b"not json", (400,)),
                ("wrong shape", {"HTTP_AUTHORIZATION": auth}, b'[1, 2, "x"]', (400,)),
            ):
                response = public.post(url, payload, content_type="application/json", **headers)
                sweep.expect(f"{url}: {name}", response, statuses)
        sweep.check("email webhooks: nothing enqueued", not sent.tasks, str(sent.tasks))


def plaid_webhooks(sweep: Sweep, tmp: Path, public: Any) -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    from apps.bank import webhooks as plaid_views
    from apps.sandboxes.plaid import start_sandbox
    from tests.drills.drill_qbo_faults import overridden
    from tests.integrations.plaid.bank_fixtures import write_bank

    sandbox = start_sandbox(write_bank(tmp / "bank"))
    try:
        with overridden(PLAID_HOST=sandbox.base_url), Published() as sent:
            plaid_views._fetchers.clear()  # keys come from the sandbox we just started
            url = "/webhooks/plaid/"
            body = json.dumps({"webhook_type": "TRANSACTIONS",
                               "webhook_code": "SYNC_UPDATES_AVAILABLE",
                               "item_id": "item-unknown", "environment": "sandbox"}).encode()
            genuine = sandbox.sign_webhook(body)
            kid = jwt.get_unverified_header(genuine)["kid"]
            claims = jwt.decode(genuine, options={"verify_signature": False})
            forged = jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()),
                                algorithm="ES256", headers={"kid": kid})
            unknown_kid = jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()),
                                     algorithm="ES256", headers={"kid": "no-such-key"})
            hs256 = jwt.encode(claims, "secret", algorithm="HS256", headers={"kid": kid})
            expired = sandbox.sign_webhook(body, iat=int(time.time()) - 6 * 60)
            cases = [
                ("plaid webhook: no signature", body, None, (401,)),
                ("plaid webhook: not a JWT", body, "garbage", (401,)),
                ("plaid webhook: forged with Plaid's key id", body, forged, (401,)),
                ("plaid webhook: unknown key id", body, unknown_kid, (401,)),
                ("plaid webhook: HS256 downgrade", body, hs256, (401,)),
                ("plaid webhook: expired signature", body, expired, (401,)),
                ("plaid webhook: tampered body", body.replace(b"unknown", b"unknowx"), genuine,
                 (401,)),
            ]
            for garbage in (b"not json", b"[1, 2]", b"\xff\xfe"):
                cases.append((f"plaid webhook: signed garbage {garbage!r}", garbage,
                              sandbox.sign_webhook(garbage), (400,)))
            cases.append(("plaid webhook: signed, unknown item (ignored)", body, genuine, (200,)))
            for name, payload, header, statuses in cases:
                headers = {"HTTP_PLAID_VERIFICATION": header} if header else {}
                response = public.post(url, payload, content_type="application/json",
                                       **headers)
                sweep.expect(name, response, statuses)
            sweep.check("plaid webhooks: nothing enqueued", not sent.tasks, str(sent.tasks))
    finally:
        sandbox.stop()
        plaid_views._fetchers.clear()


# --- 3. forms -----------------------------------------------------------------------------


def fingerprint(business: Any) -> tuple:
    """Row counts of every table in the business's schema, its audit log, actions, memberships
    and the full contents of the rows forms edit: equal before/after = nothing changed."""
    from django.apps import apps
    from django.db import connection
    from django_tenants.utils import tenant_context

    from apps.accounts.models import Membership
    from apps.core.models import AuditEvent
    from apps.integrations.sync.models import Action

    counts: list[tuple[str, Any]] = [
        ("audit", AuditEvent.objects.filter(business=business).count()),
        ("actions", Action.objects.filter(business=business).count()),
        ("members", sorted(Membership.objects.filter(business=business)
                           .values_list("pk", "role"))),
    ]
    business.refresh_from_db()
    counts.append(("business", sorted((k, str(v)) for k, v in vars(business).items()
                                      if not k.startswith("_") and k not in (
                                          "updated_at", "last_seen_at"))))
    with tenant_context(business):
        tables = set(connection.introspection.table_names())
        for model in apps.get_models():
            if model._meta.db_table in tables and model._meta.app_label in (
                    "ap", "ar", "bank", "reserves", "tray", "digest", "portal", "documents"):
                counts.append((model._meta.label, model.objects.count()))
        from apps.ap.models import Bill
        from apps.ar.models import Invoice
        from apps.reserves.models import Reserve

        for model in (Bill, Invoice, Reserve):
            rows = model.objects.order_by("pk").values()
            counts.append((model._meta.label, [
                sorted((k, str(v)) for k, v in r.items() if k not in ("synced_at", "updated_at"))
                for r in rows]))
    return tuple(counts)


def forms(sweep: Sweep, a: Any, b: Any) -> None:
    from django_tenants.utils import tenant_context

    from apps.accounts.models import Membership, Role, User
    from apps.ap.models import Bill
    from apps.ar.models import Invoice
    from apps.bank.models import Account
    from apps.reserves.models import Reserve
    from apps.reserves.services import reserve_create, reserve_fund
    from tests.drills.probe import access_of, concrete, tenant_routes

    tag = uuid.uuid4().hex[:6]
    owner = User.objects.create_user(f"owner-{tag}@bad-input.test", "bad-input-password-1")
    Membership.objects.create(user=owner, business=a, role=Role.OWNER)
    other = User.objects.create_user(f"other-{tag}@bad-input.test", "bad-input-password-1")
    b_member = Membership.objects.create(user=other, business=b, role=Role.BOOKKEEPER)
    host = f"{a.slug}.localhost"
    with tenant_context(a):
        bill = Bill.objects.filter(qbo_id="101").first()
        invoice = Invoice.objects.filter(qbo_id="201").first()
        bank = Account.objects.filter(qbo_id="35").first()
        reserve = reserve_create(actor=owner, name="Tax", kind=Reserve.Kind.CUSTOM,
                                 target="1000", due_date=None)
        reserve_fund(owner, reserve, "10.00", "")  # so a wrong release would show
    if not (bill and invoice and bank):
        sweep.check("forms: fixtures synced", False, "bill 101 / invoice 201 / account 35 missing")
        return

    # (a) No CSRF token: every POST route of the portal and API refuses before the view runs.
    forged = client(host, owner, csrf=True)
    before = fingerprint(a)
    refused = 0
    for route, view in tenant_routes():
        if access_of(view) == "open":
            continue
        url = concrete(route)
        response = forged.post(url, {"amount": "1.00", "pay_on": "2030-01-01"})
        refused += response.status_code in (401, 403, 405)
        sweep.expect(f"csrf: POST {url} without token", response, (401, 403, 405))
    sweep.check("csrf: nothing changed", fingerprint(a) == before, "state changed")

    # (b) Object ids that are not this business's (another business's membership; ids absent
    # from this schema): 404, nothing changed.
    web = client(host, owner)
    before = fingerprint(a)
    for url in (f"/team/{b_member.pk}/role/", f"/team/{b_member.pk}/remove/"):
        sweep.expect(f"foreign id: POST {url}", web.post(url, {"role": "viewer"}), (404,))
    for route, _view in tenant_routes():
        if "<int:pk>" not in route or route.startswith(("team/", "api/")):
            continue
        url = concrete(route).replace("/1/", "/987654/")
        soon = (date.today() + timedelta(days=7)).isoformat()
        valid = {"amount": "1.00", "until": soon, "pay_on": soon, "on": soon, "target": "5"}
        sweep.expect(f"foreign id: POST {url}", web.post(url, valid), (404, 405))
    response = web.post("/settings/digest/", {"time": "08:00", "weekday": "0", "enabled": "1",
                                              "members": [str(b_member.pk)]})
    sweep.check("foreign id: digest members of another business ignored",
                response.status_code < 500 and str(other.email) not in _digest_recipients(a),
                f"status {response.status_code}", status=response.status_code)

    # (c) Bad values: a clear 400 with a message, nothing changed.
    yesterday = (date.today() - timedelta(days=400)).isoformat()
    bad_posts = [
        (f"/bills/{bill.pk}/schedule/", {"pay_on": "2026-13-45"}),
        (f"/bills/{bill.pk}/schedule/", {"pay_on": yesterday}),
        (f"/bills/{bill.pk}/schedule/", {"pay_on": ""}),
        (f"/bills/{bill.pk}/pay/", {"account": str(bank.pk), "amount": "100.001"}),
        (f"/bills/{bill.pk}/pay/", {"account": str(bank.pk), "amount": "-5"}),
        (f"/bills/{bill.pk}/pay/", {"account": str(bank.pk), "amount": "lots"}),
        (f"/bills/{bill.pk}/pay/", {"account": str(bank.pk), "amount": "1e9"}),
        (f"/bills/{bill.pk}/pay/", {"account": str(bank.pk), "amount": "NaN"}),
        (f"/bills/{bill.pk}/pay/", {"account": "987654", "amount": "10"}),
        (f"/bills/{bill.pk}/pay/", {"account": "x", "amount": "10"}),
        (f"/invoices/{invoice.pk}/expect/", {"on": "31/12/2026"}),
        (f"/invoices/{invoice.pk}/expect/", {"on": yesterday}),
        ("/reserves/new/", {"name": "X", "kind": "custom", "target": "10.001"}),
        ("/reserves/new/", {"name": "X", "kind": "custom", "target": "-10"}),
        ("/reserves/new/", {"name": "X", "kind": "custom", "target": "ten"}),
        ("/reserves/new/", {"name": "", "kind": "custom", "target": "10"}),
        ("/reserves/new/", {"name": "X", "kind": "no-such-kind", "target": "10"}),
        ("/reserves/new/", {"name": "X", "kind": "custom", "target": "10",
                            "due_date": "2026-02-30"}),
        ("/reserves/new/", {"name": "X", "kind": "custom", "target": "10",
                            "due_date": yesterday}),
        (f"/reserves/{reserve.pk}/", {"target": "-1"}),
        (f"/reserves/{reserve.pk}/", {"due_date": yesterday}),
        (f"/reserves/{reserve.pk}/", {"target": "1.999"}),
        (f"/reserves/{reserve.pk}/fund/", {"amount": "-5"}),
        (f"/reserves/{reserve.pk}/fund/", {"amount": "0.001"}),
        (f"/reserves/{reserve.pk}/fund/", {"amount": "abc"}),
        (f"/reserves/{reserve.pk}/release/", {"amount": "99999999"}),
        (f"/reserves/{reserve.pk}/sideways/", {"amount": "5"}),
        ("/settings/approval/", {"approval_limit": "-1"}),
        ("/settings/approval/", {"approval_limit": "1.001"}),
        ("/settings/approval/", {"approval_limit": "many"}),
        ("/settings/digest/", {"time": "25:99", "weekday": "0"}),
        ("/settings/digest/", {"time": "08:00", "weekday": "9"}),
        ("/settings/timezone/", {"timezone": "Mars/Olympus_Mons"}),
        ("/team/invite/", {"email": "not-an-email", "role": "viewer"}),
        ("/team/invite/", {"email": "x@example.test", "role": "emperor"}),
        ("/recurring/confirm/", {"key": "", "amount": "-3"}),
        ("/recurring/confirm/", {"key": "k", "name": "Rent", "amount": "1.001",
                                 "cadence": "monthly"}),
        ("/recurring/confirm/", {"key": "k", "name": "Rent", "amount": "10",
                                 "cadence": "hourly"}),
    ]
    for url, data in bad_posts:
        before = fingerprint(a)
        response = web.post(url, data)
        changed = fingerprint(a) != before
        sweep.expect(f"bad value: POST {url} {data}", response, (400, 404, 409), changed=changed,
                     message=True)
    for query in ("delay_1=garbage", f"expect_{invoice.pk}=2026-99-01", "horizon=-5"):
        response = web.get(f"/whatif/?{query}")
        sweep.expect(f"bad value: GET /whatif/?{query}", response, (200, 400))


def _digest_recipients(business: Any) -> str:
    """Everything the digest settings hold for this business, as text (for an email check)."""
    from django_tenants.utils import tenant_context

    from apps.digest import models as digest_models

    parts = []
    with tenant_context(business):
        for model in vars(digest_models).values():
            if isinstance(model, type) and hasattr(model, "_meta") and not model._meta.abstract:
                try:
                    parts += [str(v) for v in model.objects.values()]
                except Exception:
                    continue
    return " ".join(parts)


# --- 4. uploads ---------------------------------------------------------------------------


def _pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _bomb_png() -> bytes:
    """A 20,000 × 20,000 PNG (400 Mpx) that compresses to a few hundred kB."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def uploads(sweep: Sweep, business: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tenants.utils import tenant_context

    from apps.accounts.models import Membership, Role, User
    from apps.ap.documents.models import Document
    from apps.ap.documents.services import document_process

    tag = uuid.uuid4().hex[:6]
    user = User.objects.create_user(f"uploader-{tag}@bad-input.test", "bad-input-password-1")
    Membership.objects.create(user=user, business=business, role=Role.BOOKKEEPER)
    web = client(f"{business.slug}.localhost", user)

    refused_at_intake = [
        ("not-a-pdf.pdf", b"MZ\x90\x00 this is an executable, not a bill" * 10, "not a PDF"),
        ("empty.pdf", b"", "empty"),
        ("huge.pdf", b"%PDF-1.4\n" + b"0" * (60 * 1024 * 1024), "limit is"),
    ]
    refused_by_worker = [
        ("corrupt.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n garbage \x00\xff" * 50),
        ("encrypted.pdf", _pdf(1, password="s3cret")),
        ("bomb.png", _bomb_png()),
        ("300-pages.pdf", _pdf(300)),
        ("truncated.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
    ]
    with tenant_context(business):
        before = set(Document.objects.values_list("pk", flat=True))
    for name, data, words in refused_at_intake:
        response = web.post("/documents/", {"files": [SimpleUploadedFile(name, data)]},
                            follow=True)
        text = response.content.decode(errors="replace")
        with tenant_context(business):
            created = Document.objects.exclude(pk__in=before).count()
        # 413: refused by Content-Length before the body was read (apps/core/uploads.py).
        sweep.check(f"upload {name}: refused with a message", response.status_code in (200, 413)
                    and words in text and created == 0,
                    f"status {response.status_code}, message shown: {words in text}, "
                    f"documents created: {created}", status=response.status_code)
    for name, data in refused_by_worker:
        response = web.post("/documents/", {"files": [SimpleUploadedFile(name, data)]},
                            follow=True)
        with tenant_context(business):
            new = list(Document.objects.exclude(pk__in=before))
            before |= {d.pk for d in new}
            if len(new) != 1:
                sweep.check(f"upload {name}: received", False, f"{len(new)} documents",
                            status=response.status_code)
                continue
            try:
                document_process(document_id=new[0].pk)  # what the worker does
                crashed = ""
            except Exception as exc:
                crashed = f"{type(exc).__name__}: {exc}"
            doc = Document.objects.get(pk=new[0].pk)
        sweep.check(f"upload {name}: visible refused state",
                    response.status_code == 200 and not crashed
                    and doc.state == Document.State.INVALID and bool(doc.state_reason),
                    f"status {response.status_code}, state {doc.state}, "
                    f"reason {doc.state_reason!r} {crashed}", status=response.status_code)
        page = web.get("/documents/")
        sweep.expect(f"upload {name}: list shows it", page, (200,))
    with tenant_context(business):
        stuck = Document.objects.filter(state__in=[Document.State.RECEIVED,
                                                   Document.State.PROCESSING]).count()
    sweep.check("uploads: nothing stuck", stuck == 0, f"{stuck} documents stuck", lost=stuck)


# --- the drill ----------------------------------------------------------------------------


def run(quick: bool) -> tuple[bool, str]:
    from apps.tenancy.services import business_provision
    from oodaloo.celery import app as celery_app

    # Webhooks and uploads enqueue tasks: keep them in memory, never on a real worker's queue.
    broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = "memory://"
    try:
        tag = uuid.uuid4().hex[:6]
        a = business_provision(slug=f"bad-a-{tag}", name="Bad input A")
        b = business_provision(slug=f"bad-b-{tag}", name="Bad input B")
        sweep = Sweep()
        with tempfile.TemporaryDirectory() as tmp:
            qbo_records(sweep, a, Path(tmp))
            webhooks(sweep, a, Path(tmp))
        forms(sweep, a, b)
        uploads(sweep, a)
    finally:
        celery_app.conf.broker_url = broker  # the drills after this one use the real broker
    print("  bad_input cases by group: " + ", ".join(f"{k} {v}" for k, v in sweep.groups.items()),
          flush=True)
    for failure in sweep.failures:
        print(f"  bad_input case failed: {failure}", flush=True)
    return sweep.ok, sweep.verdict()
