"""The API's conventions in one place: cursor pagination (`paginated`, from
`apps/api/pagination.py`), money as a decimal string with its currency, and exactly-once writes
keyed by the `Idempotency-Key` header.

A retried write with the same key returns the first response (status and body) instead of
running the service again. Responses are stored in the cache (Redis) per business (the tenant
cache key function adds the schema), per user and per key, and expire after a day. A key reused
for a different request is refused; a key whose first request is still running gets 409."""

from __future__ import annotations

import functools
import hashlib
import json

from django.core.cache import cache
from django.core.files import File
from django.db import connection
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.pagination import paginated  # noqa: F401 (re-exported: base.list_view pages with it)
from apps.core.errors import ApplicationError, Conflict
from apps.integrations.sync.outbox import TOKEN_MAX

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60
# How long a request holding a key counts as running. It must outlive any request the server
# lets run (gunicorn kills a worker after its `--timeout`, 30 s by default): a lock that expired
# under a slow handler would let a retry run the operation a second time. A worker killed
# mid-request leaves the key answering 409 until then.
IN_FLIGHT_TTL_SECONDS = 10 * 60
MAX_KEY_LENGTH = TOKEN_MAX  # what the outbox's services take (a payment, a credit applied)


class Money(serializers.Serializer):
    """`{"amount": "1200.00", "currency": "USD"}` — never a float, never without its currency."""

    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()


def money(amount_field: str, currency_field: str | None = "currency", *,
          nullable: bool = False) -> serializers.Field:
    """A read-only Money field from two model attributes. `currency_field=None`: the amount is
    in the business's home currency (tray amounts, reserves). A missing amount is null."""

    @extend_schema_field(Money(allow_null=True) if nullable else Money)
    class _MoneyField(serializers.Field):
        def __init__(self):
            super().__init__(source="*", read_only=True)

        def to_representation(self, obj):
            amount = getattr(obj, amount_field)
            if amount is None:
                return None
            currency = (getattr(obj, currency_field) if currency_field
                        else connection.tenant.currency)
            return {"amount": f"{amount:.2f}", "currency": currency}

    return _MoneyField()


class IdempotencyKeyReused(ApplicationError):
    code = "idempotency_key_reused"
    status = 422


def _file_digest(upload: File) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():  # from the start, a chunk at a time: never all in memory
        digest.update(chunk)
    upload.seek(0)  # the handler reads it next
    return digest.hexdigest()


def _canonical(value):
    """The request body as plain JSON values; an uploaded file is its name and its bytes'
    SHA-256 (as text it would be its name only: another file under the same name and key
    would replay the first file's answer)."""
    if isinstance(value, File):
        return {"file": value.name, "sha256": _file_digest(value)}
    if isinstance(value, MultiValueDict):  # a form: every value of a repeated field
        return {k: [_canonical(v) for v in value.getlist(k)] for k in value}
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _fingerprint(request) -> str:
    data = request.data
    body = json.dumps(_canonical(data), sort_keys=True, default=str) if data else ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _cache_key(request, key: str) -> str:
    return f"api-idem:{request.user.pk}:{hashlib.sha256(key.encode()).hexdigest()}"


def _run_and_store(method, view, request, args, kwargs, *, slot: str, lock: str,
                   fingerprint: str) -> Response:
    """Run the handler under the lock `lock` (held by the caller) and keep its answer in
    `slot`; the answer is stored before the lock goes, so a retry sees one or the other."""
    try:
        response = method(view, request, *args, **kwargs)
    except ApplicationError as exc:
        # A refused request is a response too: the retry must see the same refusal.
        cache.set(slot, {"fingerprint": fingerprint, "status": exc.status,
                         "data": {"error": {"code": exc.code, "message": exc.message,
                                            **exc.extra}}}, IDEMPOTENCY_TTL_SECONDS)
        cache.delete(lock)
        raise
    except Exception:
        cache.delete(lock)
        raise
    cache.set(slot, {"fingerprint": fingerprint, "status": response.status_code,
                     "data": response.data}, IDEMPOTENCY_TTL_SECONDS)
    cache.delete(lock)
    return response


def idempotent(method):
    """Wrap a write handler (`post`, `patch`, `delete`) so a repeated `Idempotency-Key` replays
    the first response. Without the header the handler runs normally."""

    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key:
            return method(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ApplicationError(f"The Idempotency-Key is too long ({MAX_KEY_LENGTH} "
                                   "characters at most).", code="idempotency_key_invalid")
        slot = _cache_key(request, key)
        lock = f"{slot}:lock"
        fingerprint = _fingerprint(request)
        stored = cache.get(slot)
        if stored is None:
            taken = cache.add(lock, 1, IN_FLIGHT_TTL_SECONDS)
            # Read again once the lock is decided: the first request may have stored its answer
            # and released the lock between the read above and `add` (running the handler again
            # would move money twice), or stored it and not yet released the lock.
            stored = cache.get(slot)
            if stored is None:
                if not taken:
                    raise Conflict("A request with this Idempotency-Key is still running; "
                                   "retry shortly.", code="idempotency_in_progress")
                return _run_and_store(method, view, request, args, kwargs,
                                      slot=slot, lock=lock, fingerprint=fingerprint)
            if taken:
                cache.delete(lock)
        if stored["fingerprint"] != fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used for a different request; use a new key."
            )
        replay = Response(stored["data"], status=stored["status"])
        replay["Idempotent-Replayed"] = "true"
        return replay

    return wrapper


IDEMPOTENCY_PARAM = OpenApiParameter(
    IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=False,
    description="Any unique string; a retry with the same key returns the first response.",
)


def page_of(out: type[serializers.Serializer]) -> serializers.Serializer:
    """The OpenAPI shape of a cursor page of `out` rows."""
    return inline_serializer(name=f"{out.__name__.removesuffix('Out')}Page", fields={
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": out(many=True),
    })


# --- ETag / If-Match: optimistic concurrency on updates -----------------------------------------

class PreconditionFailed(ApplicationError):
    code = "precondition_failed"
    status = 412


def etag_of(data) -> str:
    """A strong validator of a resource's representation (what the client saw)."""
    body = json.dumps(data, sort_keys=True, default=str)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def if_match_check(request, current_data) -> None:
    """`If-Match` is optional; when sent it must name the current representation (or `*`),
    else 412 — someone changed the resource since the client read it."""
    sent = request.headers.get("If-Match", "").strip()
    if not sent or sent == "*":
        return
    tags = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
    if etag_of(current_data) not in tags:
        raise PreconditionFailed("The resource changed since you read it; GET it again.",
                                 extra={"etag": etag_of(current_data)})


def validated(body: type[serializers.Serializer], request, *, if_match=None) -> dict:
    """The request's body as `body` validates it; invalid: a 400 in the API's error family.
    ``if_match``: the current representation of the resource an update changes, which the
    request's `If-Match` must name (``if_match_check``), checked before the body."""
    if if_match is not None:
        if_match_check(request, if_match)
    given = body(data=request.data)
    given.is_valid(raise_exception=True)
    return given.validated_data


def tagged(data, status: int = 200) -> Response:
    response = Response(data, status=status)
    response["ETag"] = etag_of(data)
    return response


IF_MATCH_PARAM = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description="The ETag from your last read; 412 if the resource changed since.",
)


def idempotent_write(*, if_match: bool = False, **schema):
    """An exactly-once write (``idempotent``) whose schema (``extend_schema(**schema)``) names
    its headers: `Idempotency-Key`, and `If-Match` when the method checks it (``validated``'s
    ``if_match`` or ``if_match_check``)."""
    parameters = [IDEMPOTENCY_PARAM, IF_MATCH_PARAM] if if_match else [IDEMPOTENCY_PARAM]

    def wrap(method):
        return extend_schema(parameters=parameters, **schema)(idempotent(method))
    return wrap
