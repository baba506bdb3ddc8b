"""The shapes every resource repeats, written once: a filtered cursor list, a detail read (with
its ETag) and its conditional update (`If-Match`), and a write on one object that calls a
service and answers with the object.

Bills and invoices (and the rest) differ only in their lookup, their service and their
serializers; the view classes come from these factories so the conventions (idempotency,
pagination, 404 for another business's id, the error family) cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.conventions import (
    idempotent_write,
    money,
    page_of,
    paginated,
    tagged,
    validated,
)
from apps.core.dates import local_today


def lookup(queryset: Callable[[], Any]) -> Callable[[int], Any]:
    """`pk → object or 404`. Another business's id is not in this schema: 404, as the portal."""
    return lambda pk: get_object_or_404(queryset(), pk=pk)


def locked(read: Callable[[], Any]) -> Any:
    """Inside the caller's transaction: the object `read()` returns, its row locked and then
    read again under the lock — so an `If-Match` compared with it still holds when the update
    commits (two updates with the same ETag: the second waits, then sees the change, 412)."""
    obj = read()
    list(type(obj)._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
    return read()


def filtered_rows(filters: Callable[..., Any], filtered: Callable[[Any, Any], Any]
                  ) -> Callable[[Any], Any]:
    """`request → rows` as the portal's list shows them for these query parameters (also its
    CSV download): the portal's own filter parser, strict (a bad value is a 400), and selector."""
    return lambda request: filtered(filters(request.query_params, strict=True),
                                    local_today(request.business.timezone))


def model_out(name: str, model: Any, fields: Sequence[str],
              **declared: serializers.Field) -> type[serializers.ModelSerializer]:
    """A read serializer named `name`: `model`'s `fields`, any of them `declared` explicitly."""
    meta = type("Meta", (), {"model": model, "fields": list(fields)})
    return type(name, (serializers.ModelSerializer,), {**declared, "Meta": meta})


def document_out(name: str, model: Any, *, party: str, fields: Sequence[str],
                 **declared: serializers.Field) -> type[serializers.ModelSerializer]:
    """The read serializer of a QuickBooks document (bill, invoice, credit, payment) named
    `name`: its `party` (vendor or customer) by display name, `<party>_id` and the money
    fields `total` and `balance` where `fields` lists them, plus any `declared` field."""
    attrs: dict[str, Any] = {party: serializers.CharField(source=f"{party}.display_name",
                                                          default="")}
    if f"{party}_id" in fields:
        attrs[f"{party}_id"] = serializers.IntegerField(allow_null=True)
    attrs.update({amount: money(amount) for amount in ("total", "balance") if amount in fields})
    return model_out(name, model, fields, **attrs, **declared)


def list_view(rows: Callable, out: type[serializers.Serializer], *, ordering: Sequence[str],
              parameters: Sequence[OpenApiParameter] = (), doc: str = "") -> type[APIView]:
    class ListView(APIView):
        @extend_schema(responses=page_of(out), parameters=list(parameters), description=doc)
        def get(self, request):
            return paginated(self, rows(request), out, ordering=tuple(ordering))

    return ListView


def detail_view(find: Callable[[int], Any], out: type[serializers.Serializer],
                doc: str = "") -> type[APIView]:
    class DetailView(APIView):
        @extend_schema(responses=out, description=doc)
        def get(self, request, pk: int):
            return tagged(out(find(pk)).data)

    return DetailView


def update_view(find: Callable[[int], Any], call: Callable[..., Any],
                out: type[serializers.Serializer], *, body: type[serializers.Serializer],
                method: str) -> type[APIView]:
    """`detail_view` plus a conditional update, `method` (`put` or `patch`) on `/<pk>/`:
    `If-Match` (when sent) must name `out(obj)`, then `body` validates, `call(request, obj,
    **data)` (a portal service) returns the object, answered as `out` with its ETag — all in
    one transaction under the row's lock (`locked`), so two updates with one ETag cannot both
    pass."""

    # No docstring here: the schema would take it as every update's description.
    def update(self, request, pk: int):
        with transaction.atomic():
            obj = locked(lambda: find(pk))
            data = validated(body, request, if_match=out(obj).data)
            return tagged(out(call(request, obj, **data)).data)

    handler = idempotent_write(if_match=True, request=body, responses=out)(update)
    return type("UpdateView", (detail_view(find, out),), {method: handler})


def command_view(call: Callable[[Any], Any], out: type[serializers.Serializer], *,
                 doc: str) -> type[APIView]:
    """POST with no body on the business itself (not one object): run `call(request)`,
    answer `out(result)`."""

    class CommandView(APIView):
        @idempotent_write(request=None, responses=out, description=doc)
        def post(self, request):
            return Response(out(call(request)).data)

    return CommandView


def action_view(find: Callable[[int], Any], call: Callable[..., Any],
                out: type[serializers.Serializer] | None, *,
                body: type[serializers.Serializer] | None = None, status: int = 200,
                doc: str = "", result_out: Callable[[Any, Any], Any] | None = None,
                ) -> type[APIView]:
    """POST `/<pk>/<verb>/`: validate `body`, run `call(request, obj, **data)` (a portal
    service), answer `out(result)`. `result_out(request, result)` picks what to serialize."""

    class ActionView(APIView):
        @idempotent_write(request=body, responses={status: out}, description=doc)
        def post(self, request, pk: int):
            data: dict = {}
            if body is not None:
                data = dict(validated(body, request))
            result = call(request, find(pk), **data)
            if result_out is not None:
                result = result_out(request, result)
            if out is None:
                return Response(status=status)
            return Response(out(result).data, status=status)

    return ActionView
