"""Webhooks as Plaid signs them, verified as Plaid documents."""

from __future__ import annotations

import hashlib
import json
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from apps.integrations.plaid.client import PlaidClient
from apps.integrations.plaid.webhooks import CachingKeyFetcher, verify_webhook
from apps.sandboxes.plaid import SandboxHandle

from .bank_fixtures import minimal


def _header(headers: dict[str, str]) -> str:
    # Header names are case-insensitive (HTTP/2 lowercases them).
    return next(v for k, v in headers.items() if k.lower() == "plaid-verification")


def test_sync_updates_available_is_sent_signed_and_verifies(
    plaid_client: PlaidClient, sandbox: SandboxHandle, receiver, linked
) -> None:
    access_token, item_id = linked
    sandbox.add_transactions([minimal("before-sync", 1)])
    sandbox.wait_webhooks()
    assert receiver.received == []  # Plaid fires only after the first /transactions/sync
    cursor = plaid_client.sync_transactions(access_token).next_cursor
    sandbox.add_transactions([minimal("after-sync", 2)])
    ((body, headers),) = receiver.wait_for(1)
    payload = json.loads(body)
    assert payload == {
        "webhook_type": "TRANSACTIONS",
        "webhook_code": "SYNC_UPDATES_AVAILABLE",
        "item_id": item_id,
        "initial_update_complete": True,
        "historical_update_complete": True,
        "environment": "sandbox",
    }
    fetcher = CachingKeyFetcher(plaid_client.webhook_verification_key)
    assert verify_webhook(body, _header(headers), fetcher, time.time())
    assert verify_webhook(body, _header(headers), fetcher, time.time())
    assert fetcher.fetches == 1  # keys are cached by kid
    delta = plaid_client.sync_transactions(access_token, cursor)
    assert [t.transaction_id for t in delta.added] == ["after-sync"]
    item = plaid_client.item(access_token)
    assert item.item_id == item_id


def test_expired_forged_and_tampered_signatures_are_rejected(
    plaid_client: PlaidClient, sandbox: SandboxHandle
) -> None:
    fetcher = CachingKeyFetcher(plaid_client.webhook_verification_key)
    body = b'{"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE"}'
    now = time.time()
    fresh = sandbox.sign_webhook(body)
    assert verify_webhook(body, fresh, fetcher, now)
    # Expired: iat older than five minutes.
    assert not verify_webhook(body, fresh, fetcher, now + 5 * 60 + 5)
    old = sandbox.sign_webhook(body, iat=int(now) - 6 * 60)
    assert not verify_webhook(body, old, fetcher, now)
    # Forged: same kid, signed with somebody else's P-256 key.
    kid = jwt.get_unverified_header(fresh)["kid"]
    forged = jwt.encode(
        {"iat": int(now), "request_body_sha256": hashlib.sha256(body).hexdigest()},
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": kid},
    )
    assert not verify_webhook(body, forged, fetcher, now)
    # Tampered body, wrong algorithm, unknown kid, garbage header.
    assert not verify_webhook(body + b" ", fresh, fetcher, now)
    hs = jwt.encode(
        {"iat": int(now), "request_body_sha256": "x"},
        "a-shared-secret-long-enough-for-hs256!!",
        algorithm="HS256",
        headers={"kid": kid},
    )
    assert not verify_webhook(body, hs, fetcher, now)
    unknown = jwt.encode(
        {"iat": int(now)},
        ec.generate_private_key(ec.SECP256R1()),
        algorithm="ES256",
        headers={"kid": "no-such-kid"},
    )
    assert not verify_webhook(body, unknown, fetcher, now)
    assert not verify_webhook(body, "not.a.jwt", fetcher, now)
    assert not verify_webhook(body, "", fetcher, now)


def test_rotated_key_is_served_expired_and_refused(
    plaid_client: PlaidClient, sandbox: SandboxHandle
) -> None:
    body = b"{}"
    old_signature = sandbox.sign_webhook(body)
    sandbox.rotate_key()
    fetcher = CachingKeyFetcher(plaid_client.webhook_verification_key)
    old_kid = jwt.get_unverified_header(old_signature)["kid"]
    assert plaid_client.webhook_verification_key(old_kid)["expired_at"] is not None
    assert not verify_webhook(body, old_signature, fetcher, time.time())
    assert verify_webhook(body, sandbox.sign_webhook(body), fetcher, time.time())


def test_item_state_webhooks(
    plaid_client: PlaidClient, sandbox: SandboxHandle, receiver, linked
) -> None:
    access_token, item_id = linked
    sandbox.set_item_state(item_id, "ITEM_LOGIN_REQUIRED")
    sandbox.set_item_state(item_id, "HEALTHY")
    sandbox.set_item_state(item_id, "PENDING_EXPIRATION")
    plaid_client.fire_sandbox_webhook(access_token, "SYNC_UPDATES_AVAILABLE")
    received = receiver.wait_for(4)
    codes = [json.loads(body)["webhook_code"] for body, _ in received]
    assert codes == ["ERROR", "LOGIN_REPAIRED", "PENDING_EXPIRATION", "SYNC_UPDATES_AVAILABLE"]
    error = json.loads(received[0][0])["error"]
    assert error["error_code"] == "ITEM_LOGIN_REQUIRED" and error["status"] == 400
    fetcher = CachingKeyFetcher(plaid_client.webhook_verification_key)
    assert all(verify_webhook(body, _header(h), fetcher) for body, h in received)
    assert sandbox.stats()["webhooks_sent"] == 4


def test_cached_keys_expire_so_a_key_plaid_expired_is_refused(
    plaid_client: PlaidClient, sandbox: SandboxHandle
) -> None:
    """A key cached while valid is fetched again after its TTL, and Plaid's `expired_at` is
    then seen; unknown kids are cached as misses (one fetch per kid per minute)."""
    now = [1000.0]
    fetcher = CachingKeyFetcher(plaid_client.webhook_verification_key, clock=lambda: now[0],
                                key_ttl=60, miss_ttl=30)
    body = b"{}"
    signature = sandbox.sign_webhook(body)
    assert verify_webhook(body, signature, fetcher, time.time())
    sandbox.rotate_key()  # Plaid expires the key we cached
    assert verify_webhook(body, signature, fetcher, time.time())  # still cached (within TTL)
    now[0] += 61
    assert not verify_webhook(body, signature, fetcher, time.time())  # re-read: expired
    assert fetcher.fetches == 2
    for _ in range(5):
        assert fetcher("no-such-kid") is None
    assert fetcher.fetches == 3  # one miss fetched, then remembered
    now[0] += 31
    assert fetcher("no-such-kid") is None and fetcher.fetches == 4
