"""QBO webhook receiver (public host): verify the signature first, then fan out per business.

Intuit wants a fast 200: we only verify, parse, group by realm and enqueue one targeted-fetch
task per business; the task reads the changed entities.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from apps.core.services.replays import delivery_claim, delivery_release
from apps.integrations.qbo.webhooks import (
    SIGNATURE_HEADER,
    WebhookPayloadError,
    parse_notifications,
    verify_signature,
)
from apps.integrations.sync.models import QboConnection

log = logging.getLogger(__name__)
# Intuit retries a failed delivery for up to a day or so; remember what we applied for 3 days.
REPLAY_WINDOW_S = 3 * 24 * 3600


def _fresh_changes(body: bytes, changes: list) -> tuple[list, list[tuple[str, str]]]:
    """Drop changes already applied: CloudEvents by their event id; a legacy delivery (no ids)
    by the hash of its body. Returns the fresh changes and the claims made for them."""
    if changes and all(change.event_id for change in changes):
        claims, fresh = [], []
        for change in changes:
            if delivery_claim("qbo-event", change.event_id, ttl_seconds=REPLAY_WINDOW_S):
                claims.append(("qbo-event", change.event_id))
                fresh.append(change)
        return fresh, claims
    digest = hashlib.sha256(body).hexdigest()
    if not delivery_claim("qbo-body", digest, ttl_seconds=REPLAY_WINDOW_S):
        return [], []
    return changes, [("qbo-body", digest)]


def qbo_webhook_dispatch(changes: list) -> dict[str, int]:
    """Group verified changes by realm → business and enqueue a fetch per business."""
    from apps.integrations.sync.tasks import qbo_fetch_changed_task

    by_realm: dict[str, list[dict[str, str]]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    for change in changes:
        item = (change.realm_id, change.entity, change.id, change.operation)
        if item in seen:
            continue  # a delivery may repeat an entity; one fetch is enough
        seen.add(item)
        by_realm.setdefault(change.realm_id, []).append({
            "entity": change.entity, "id": change.id, "operation": change.operation,
            "deleted_id": change.deleted_id,
        })
    connections = QboConnection.objects.filter(
        realm_id__in=list(by_realm), status=QboConnection.Status.CONNECTED
    ).select_related("business")
    enqueued: dict[str, int] = {}
    for conn in connections:
        with tenant_context(conn.business):
            qbo_fetch_changed_task.delay(by_realm[conn.realm_id])
        enqueued[conn.business.slug] = len(by_realm[conn.realm_id])
    unknown = set(by_realm) - {c.realm_id for c in connections}
    if unknown:
        log.info("qbo webhook for realms with no connection: %s", sorted(unknown))
    return enqueued


@csrf_exempt
@require_POST
def qbo_webhook(request: HttpRequest) -> HttpResponse:
    body = request.body  # the exact bytes signed by Intuit
    if not verify_signature(
        body, request.headers.get(SIGNATURE_HEADER), settings.QBO_WEBHOOK_VERIFIER_TOKEN
    ):
        return JsonResponse({"error": "invalid signature"}, status=401)
    try:
        changes = parse_notifications(body)
    except WebhookPayloadError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    fresh, claims = _fresh_changes(body, changes)
    try:
        enqueued = qbo_webhook_dispatch(fresh) if fresh else {}
    except Exception:
        for kind in {k for k, _ in claims}:  # not applied: Intuit's retry must not be a replay
            delivery_release(kind, [i for k, i in claims if k == kind])
        raise
    return JsonResponse({"ok": True, "businesses": len(enqueued),
                         "replayed": len(changes) - len(fresh)})


def qbo_oauth_callback_forward(request: HttpRequest) -> HttpResponse:
    """Production: Intuit redirects only to registered URIs, so one callback on the public host
    (settings.QBO_REDIRECT_URI) forwards to the business named in the signed `state`, whose own
    callback checks the state again and completes the connection."""
    from django.core import signing
    from django.shortcuts import redirect

    from apps.integrations.sync.connection import STATE_MAX_AGE, STATE_SALT
    from apps.tenancy.models import Business
    from apps.tenancy.urls import business_url

    try:
        data = signing.loads(request.GET.get("state", ""), salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        return HttpResponse("That QuickBooks sign-in link is not valid. Please start again.",
                            status=400, content_type="text/plain")
    business = Business.objects.real().filter(pk=data.get("b")).first()
    if business is None:
        return HttpResponse("Unknown business.", status=404, content_type="text/plain")
    return redirect(business_url(business, f"/connect/qbo/callback/?{request.GET.urlencode()}"))
