"""`POST /webhooks/plaid/` on the public host.

The `Plaid-Verification` JWT is checked before anything is read from the body (401 and nothing
enqueued on failure). Then item → business through PlaidItem; transaction updates enqueue that
business's feed sync; item webhooks set the state behind the reconnect prompts.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from apps.bank.services.feed_items import Status, item_status_set, plaid_client_for
from apps.core.services.replays import delivery_claim, delivery_release
from apps.integrations.plaid.models import PlaidItem
from apps.integrations.plaid.webhooks import (
    FUTURE_SKEW_SECONDS,
    MAX_AGE_SECONDS,
    CachingKeyFetcher,
    replay_identity,
    verify_webhook,
)

log = logging.getLogger(__name__)
_fetchers: dict[str, CachingKeyFetcher] = {}

SYNC_CODES = {"SYNC_UPDATES_AVAILABLE", "NEW_ACCOUNTS_AVAILABLE", "DEFAULT_UPDATE"}


def key_fetcher(host: str) -> CachingKeyFetcher:
    """One JWK cache per Plaid host (keys are fetched from the host we are configured for)."""
    fetcher = _fetchers.get(host)
    if fetcher is None:
        fetcher = _fetchers[host] = CachingKeyFetcher(
            plaid_client_for(host).webhook_verification_key
        )
    return fetcher


def _enqueue_sync(item: PlaidItem) -> None:
    from apps.bank.tasks import feed_sync_task

    with tenant_context(item.business):
        feed_sync_task.delay(item_id=item.item_id)


def handle_webhook(payload: dict) -> str:
    """Act on a verified webhook body; returns what was done (for the response and logs)."""
    item = PlaidItem.objects.filter(item_id=str(payload.get("item_id") or "")).select_related(
        "business"
    ).first()
    if item is None or item.status == Status.DISCONNECTED:
        return "ignored: unknown or disconnected item"
    kind, code = payload.get("webhook_type"), payload.get("webhook_code")
    if kind == "ITEM":
        error = payload.get("error") or {}
        if code == "ERROR" and error.get("error_code") == "ITEM_LOGIN_REQUIRED":
            item_status_set(item, Status.LOGIN_REQUIRED, "ITEM_LOGIN_REQUIRED")
            return "login_required"
        if code == "ERROR":
            item.last_error = str(error.get("error_code") or "ITEM_ERROR")[:200]
            item.save(update_fields=["last_error"])
            return "error recorded"
        if code in ("PENDING_EXPIRATION", "PENDING_DISCONNECT"):
            item_status_set(item, Status.PENDING_EXPIRATION, code)
            return "pending_expiration"
        if code == "USER_PERMISSION_REVOKED":
            item_status_set(item, Status.LOGIN_REQUIRED, code)
            return "login_required"
        if code == "LOGIN_REPAIRED":
            item_status_set(item, Status.OK)
            _enqueue_sync(item)
            return "repaired; sync enqueued"
        if code == "NEW_ACCOUNTS_AVAILABLE":
            _enqueue_sync(item)
            return "sync enqueued"
        return "ignored"
    if kind == "TRANSACTIONS" and code in SYNC_CODES:
        _enqueue_sync(item)
        return "sync enqueued"
    return "ignored"


@csrf_exempt
@require_POST
def plaid_webhook(request: HttpRequest) -> HttpResponse:
    body = request.body  # the raw bytes: the JWT signs their SHA-256, not re-serialized JSON
    if not verify_webhook(body, request.headers.get("Plaid-Verification"),
                          key_fetcher(settings.PLAID_HOST)):
        log.warning("plaid webhook refused: bad or missing Plaid-Verification")
        return JsonResponse({"error": "verification failed"}, status=401)
    try:
        payload = json.loads(body)
    except ValueError:
        return JsonResponse({"error": "body is not JSON"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "body is not an object"}, status=400)
    # A verified JWT stays valid for 5 minutes: the same one posted again is a replay.
    identity = replay_identity(request.headers.get("Plaid-Verification", ""))
    if not delivery_claim("plaid-jwt", identity,
                          ttl_seconds=MAX_AGE_SECONDS + FUTURE_SKEW_SECONDS + 60):
        return JsonResponse({"status": "replayed: ignored"})
    try:
        return JsonResponse({"status": handle_webhook(payload)})
    except Exception:
        delivery_release("plaid-jwt", [identity])  # not applied: Plaid's retry is not a replay
        raise
