"""Forged and replayed webhooks (QBO, Plaid, anymail) under production-like secrets: fresh random
secrets reach the app through the environment (as production settings read them), the development
defaults are among the forgeries; 0 forged deliveries accepted, every replay applied once
(DESIGN §7, docs/reliability.md "Forged and replayed webhooks").

The parent starts the Plaid sandbox (the real key server the app fetches verification keys
from) and runs the probe in a child process whose environment holds the secrets; the child
posts through Django's test client on the public host and counts what was accepted (HTTP 200)
and what it caused (tasks published, documents stored).

    python -m tests.drills.run --only webhooks [--quick]
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# --- the child: posts and counts ---------------------------------------------------------


def _setup(tag: str, plaid_host: str):
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from apps.ap.documents.models import InboundSender
    from apps.integrations.plaid.models import PlaidItem
    from apps.integrations.sync.models import QboConnection
    from apps.tenancy.services import business_provision

    business = business_provision(slug=f"hooks-{tag}", name="Webhooks")
    QboConnection.objects.create(business=business, realm_id=f"realm-{tag}",
                                 api_base="http://127.0.0.1:9/v3", access_token="-",
                                 refresh_token="-", access_expires_at=timezone.now())
    item = PlaidItem.objects.create(business=business, item_id=f"item-{tag}", host=plaid_host)
    with tenant_context(business):
        InboundSender.objects.create(pattern="@vendor.test")
    return business, item


def _qbo_bodies(realm: str, n: int) -> list[bytes]:
    return [json.dumps([{"specversion": "1.0", "id": f"evt-{uuid.uuid4().hex}",
                         "type": "qbo.bill.deleted.v1", "time": "2026-12-01T00:00:00Z",
                         "intuitentityid": str(100 + i), "intuitaccountid": realm, "data": {}}])
            .encode() for i in range(n)]


def _email(n: int, to: str, sender: str = "ap@vendor.test") -> bytes:
    pdf = b"%PDF-1.7\n" + str(n).encode() + b"\n%%EOF"
    spf = {"Name": "Received-SPF", "Value": "Pass (sender SPF authorized) identity=mailfrom; "
           "envelope-from=\"bounce@vendor.test\""}
    return json.dumps({
        "FromFull": {"Email": sender, "Name": "V"}, "ToFull": [{"Email": to, "Name": ""}],
        "OriginalRecipient": "", "Subject": "bill", "TextBody": "", "Headers": [spf],
        "MessageID": f"m-{n}", "Attachments": [{"Name": f"b{n}.pdf", "ContentType":
                                                "application/pdf", "ContentLength": len(pdf),
                                                "Content": base64.b64encode(pdf).decode()}],
    }).encode()


def _forged(client, business, item, n: int, published: list[str]) -> dict[str, list[int]]:
    """{provider: [deliveries, accepted (2xx), effects]} for forged deliveries."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.conf import settings
    from django_tenants.utils import tenant_context

    from apps.ap.documents.inbound import inbound_address
    from apps.ap.documents.models import Document
    from apps.integrations.qbo.webhooks import sign
    from apps.sandboxes.plaid.control import SandboxControl

    realm = business.qbo_connection.realm_id
    out = {}
    bodies = _qbo_bodies(realm, n)
    wrong = ["", sign(bodies[0], "dev-verifier-token"), sign(bodies[0], secrets.token_hex(16)),
             "tampered", "garbage!!"]
    sent = ok = 0
    for body in bodies:
        for header in wrong:
            if header == "tampered":
                header = sign(body + b" ", settings.QBO_WEBHOOK_VERIFIER_TOKEN)
            extra = {"HTTP_INTUIT_SIGNATURE": header} if header else {}
            sent += 1
            ok += client.post("/webhooks/qbo/", body, content_type="application/json",
                              **extra).status_code < 300
    out["qbo"] = [sent, ok, published.count("sync.qbo_fetch_changed")]

    control = SandboxControl(settings.PLAID_HOST)
    sent = ok = 0
    for i in range(n):
        body = json.dumps({"webhook_type": "TRANSACTIONS", "webhook_code":
                           "SYNC_UPDATES_AVAILABLE", "item_id": item.item_id, "n": i}).encode()
        good = control.sign_webhook(body.decode())
        kid = jwt.get_unverified_header(good)["kid"]
        claims = {"iat": int(time.time()), "request_body_sha256": hashlib.sha256(body).hexdigest()}
        forgeries = [
            "",
            jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256",
                       headers={"kid": kid}),
            jwt.encode(claims, "a-shared-secret-long-enough-for-hs256!!", algorithm="HS256",
                       headers={"kid": kid}),
            control.sign_webhook(body.decode(), iat=int(time.time()) - 600),  # expired
            control.sign_webhook(body.decode() + " "),  # signs another body
        ]
        for header in forgeries:
            extra = {"HTTP_PLAID_VERIFICATION": header} if header else {}
            sent += 1
            ok += client.post("/webhooks/plaid/", body, content_type="application/json",
                              **extra).status_code < 300
    out["plaid"] = [sent, ok, published.count("bank.feed_sync")]

    address = inbound_address(business)
    sent = ok = 0
    for i in range(n):
        for auth in ["", "dev-webhook-user:dev-webhook-pass", "someone:guessing"]:
            extra = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()
                     } if auth else {}
            sent += 1
            ok += client.post("/webhooks/email/inbound/postmark/", _email(i, address),
                              content_type="application/json", **extra).status_code < 300
    with tenant_context(business):
        out["anymail"] = [sent, ok, Document.objects.count()]
    return out


def _replayed(client, business, item, n: int, published: list[str]) -> dict[str, list[int]]:
    """{provider: [deliveries of one event, times applied]}."""
    from django.conf import settings
    from django_tenants.utils import tenant_context

    from apps.ap.documents.inbound import inbound_address
    from apps.ap.documents.models import Document
    from apps.integrations.qbo.webhooks import sign
    from apps.sandboxes.plaid.control import SandboxControl

    out = {}
    before = published.count("sync.qbo_fetch_changed")
    body = _qbo_bodies(business.qbo_connection.realm_id, 1)[0]
    for _ in range(n):
        client.post("/webhooks/qbo/", body, content_type="application/json",
                    HTTP_INTUIT_SIGNATURE=sign(body, settings.QBO_WEBHOOK_VERIFIER_TOKEN))
    out["qbo"] = [n, published.count("sync.qbo_fetch_changed") - before]

    before = published.count("bank.feed_sync")
    body = json.dumps({"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE",
                       "item_id": item.item_id}).encode()
    header = SandboxControl(settings.PLAID_HOST).sign_webhook(body.decode())
    for _ in range(n):
        client.post("/webhooks/plaid/", body, content_type="application/json",
                    HTTP_PLAID_VERIFICATION=header)
    out["plaid"] = [n, published.count("bank.feed_sync") - before]

    payload = json.loads(_email(999, inbound_address(business)))
    auth = "Basic " + base64.b64encode(settings.ANYMAIL["WEBHOOK_SECRET"].encode()).decode()
    for _ in range(n):
        client.post("/webhooks/email/inbound/postmark/", json.dumps(payload),
                    content_type="application/json", HTTP_AUTHORIZATION=auth)
    with tenant_context(business):
        out["anymail"] = [n, Document.objects.filter(original_name="b999.pdf").count()]
    return out


def child(n: int) -> None:
    import django

    django.setup()
    from celery.signals import before_task_publish
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from oodaloo.celery import app

    app.conf.broker_url = "memory://"  # count what would be enqueued; publish nowhere shared
    published: list[str] = []
    before_task_publish.connect(lambda sender=None, **_: published.append(sender), weak=False)
    from_env = (settings.QBO_WEBHOOK_VERIFIER_TOKEN == os.environ["QBO_WEBHOOK_VERIFIER_TOKEN"]
                and settings.ANYMAIL["WEBHOOK_SECRET"] == os.environ["ANYMAIL_WEBHOOK_SECRET"])
    business, item = _setup(uuid.uuid4().hex[:6], settings.PLAID_HOST)
    client = Client(HTTP_HOST="localhost")
    forged = _forged(client, business, item, n, published)
    connection.set_schema_to_public()
    replayed = _replayed(client, business, item, n, published)
    print(json.dumps({"from_env": from_env, "forged": forged, "replayed": replayed}))


# --- the parent --------------------------------------------------------------------------


def run(quick: bool) -> tuple[bool, str]:
    from apps.sandboxes.plaid import start_sandbox
    from tests.integrations.plaid.bank_fixtures import write_bank

    n = 3 if quick else 20
    tmp = Path(tempfile.mkdtemp(prefix="oodaloo-hooks-"))
    sandbox = start_sandbox(write_bank(tmp / "bank"))
    user, password = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "QBO_WEBHOOK_VERIFIER_TOKEN": secrets.token_urlsafe(32),
           "ANYMAIL_WEBHOOK_SECRET": f"{user}:{password}",
           "PLAID_HOST": sandbox.base_url, "MEDIA_ROOT": str(tmp / "media")}
    try:
        proc = subprocess.run([sys.executable, "-m", "tests.drills.drill_webhooks", "--child",
                               str(n)], env=env, cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
    finally:
        sandbox.stop()
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{\"from_env\"")]
    if proc.returncode != 0 or not lines:
        return False, f"probe crashed: {proc.stderr[-1500:]}"
    got = json.loads(lines[-1])
    forged, replayed = got["forged"], got["replayed"]
    accepted = sum(v[1] for v in forged.values())
    effects = sum(v[2] for v in forged.values())
    twice = sum(v[1] != 1 for v in replayed.values())
    verdict = (
        "forged: " + ", ".join(f"{k} {v[1]}/{v[0]} accepted" for k, v in forged.items())
        + f" ({effects} effects); replayed: "
        + ", ".join(f"{k} {v[0]} deliveries applied {v[1]}×" for k, v in replayed.items())
        + f"; secrets from the environment: {'yes' if got['from_env'] else 'NO'}"
    )
    return accepted == 0 and effects == 0 and twice == 0 and got["from_env"], verdict


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
