"""POST /webhooks/plaid/ on the public host: verified first (401, nothing enqueued), then
item → business, then the feed sync is enqueued (Celery eager here, so its effect is visible)."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from apps.bank.models import BankTransaction
from apps.bank.services.feed_connect import feed_connect_sandbox
from apps.core.models import JobRun
from apps.integrations.plaid.models import PlaidItem
from tests.integrations.plaid.bank_fixtures import minimal
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db
URL = "/webhooks/plaid/"


def _body(item_id: str, kind="TRANSACTIONS", code="SYNC_UPDATES_AVAILABLE", **extra) -> bytes:
    return json.dumps({"webhook_type": kind, "webhook_code": code, "item_id": item_id,
                       "environment": "sandbox", **extra}, indent=2).encode()


def _post(body: bytes, header: str | None):
    headers = {"HTTP_PLAID_VERIFICATION": header} if header else {}
    return client_for().post(URL, body, content_type="application/json", **headers)


def _syncs(business) -> int:
    with in_tenant(business):
        return JobRun.objects.filter(name="bank.feed_sync").count()


def _has(business, tid: str) -> bool:
    with in_tenant(business):
        return BankTransaction.objects.filter(transaction_id=tid).exists()


@pytest.fixture
def item(tenant_a, sandbox, eager_celery) -> PlaidItem:
    item = feed_connect_sandbox(tenant_a)
    sandbox.add_transactions([minimal("hooked", Decimal("33.3"), "2024-03-21")])
    return item


def test_valid_signature_enqueues_the_business_sync(tenant_a, sandbox, item):
    body = _body(item.item_id)
    response = _post(body, sandbox.sign_webhook(body))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sync enqueued"
    assert _syncs(tenant_a) == 1 and _has(tenant_a, "hooked")


def test_expired_signature_is_refused_and_nothing_enqueued(tenant_a, sandbox, item):
    body = _body(item.item_id)
    old = sandbox.sign_webhook(body, iat=int(time.time()) - 6 * 60)
    assert _post(body, old).status_code == 401
    assert _syncs(tenant_a) == 0 and not _has(tenant_a, "hooked")


def test_forged_tampered_and_missing_signatures_are_refused(tenant_a, sandbox, item):
    body = _body(item.item_id)
    genuine = sandbox.sign_webhook(body)
    kid = jwt.get_unverified_header(genuine)["kid"]
    forger = ec.generate_private_key(ec.SECP256R1())
    claims = jwt.decode(genuine, options={"verify_signature": False})
    forged = jwt.encode(claims, forger, algorithm="ES256", headers={"kid": kid})
    assert _post(body, forged).status_code == 401
    tampered = body.replace(b"SYNC_UPDATES_AVAILABLE", b"SYNC_UPDATES_AVAILABLX")
    assert _post(tampered, genuine).status_code == 401
    assert _post(body, None).status_code == 401
    assert _syncs(tenant_a) == 0 and not _has(tenant_a, "hooked")


def test_item_webhooks_set_reconnect_states(tenant_a, sandbox, item):
    body = _body(item.item_id, "ITEM", "ERROR",
                 error={"error_type": "ITEM_ERROR", "error_code": "ITEM_LOGIN_REQUIRED"})
    assert _post(body, sandbox.sign_webhook(body)).json()["status"] == "login_required"
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.LOGIN_REQUIRED
    body = _body(item.item_id, "ITEM", "PENDING_EXPIRATION",
                 consent_expiration_time="2030-01-01T00:00:00Z")
    _post(body, sandbox.sign_webhook(body))
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.PENDING_EXPIRATION
    body = _body(item.item_id, "ITEM", "LOGIN_REPAIRED")
    _post(body, sandbox.sign_webhook(body))
    item.refresh_from_db()
    assert item.status == PlaidItem.Status.OK and _has(tenant_a, "hooked")


def test_unknown_item_is_acknowledged_and_ignored(sandbox, eager_celery):
    body = _body("no-such-item")
    response = _post(body, sandbox.sign_webhook(body))
    assert response.status_code == 200 and response.json()["status"].startswith("ignored")


def test_a_replayed_webhook_is_applied_once(tenant_a, sandbox, item):
    body = _body(item.item_id)
    # Signed a minute ago (still inside the five minutes), so Plaid's next delivery below has a
    # later iat without the test waiting for the clock's next second.
    signature = sandbox.sign_webhook(body, iat=int(time.time()) - 60)
    assert _post(body, signature).json()["status"] == "sync enqueued"
    for _ in range(3):  # the same verified JWT posted again within its five minutes
        response = _post(body, signature)
        assert response.status_code == 200 and response.json()["status"] == "replayed: ignored"
    assert _syncs(tenant_a) == 1
    # Plaid's own next delivery (signed again, a new iat) is not a replay.
    assert _post(body, sandbox.sign_webhook(body)).json()["status"] == "sync enqueued"
    assert _syncs(tenant_a) == 2
