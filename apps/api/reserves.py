"""Reserves over the API: list, create, read, update (with `If-Match`), close (DELETE), fund and
release — the portal's `apps.reserves.services`, same owner/bookkeeper checks and audit rows.
A reserve is never deleted: closing keeps its ledger (and is refused while it holds money)."""

from __future__ import annotations

from django.db import transaction
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.base import action_view, list_view, locked, lookup, update_view
from apps.api.conventions import (
    idempotent_write,
    if_match_check,
    money,
    tagged,
    validated,
)
from apps.business_settings.services import reserves_confirm
from apps.core.dates import local_today
from apps.core.errors import ApplicationError
from apps.reserves.models import Reserve, ReserveEntry
from apps.reserves.services import reserve_create, reserve_fund, reserve_release, reserve_update


class ReserveOut(serializers.ModelSerializer):
    target = money("target", None)
    held = money("held", None)
    shortfall = money("shortfall", None)

    class Meta:
        model = Reserve
        fields = ["id", "name", "kind", "target", "held", "shortfall", "due_date", "active",
                  "updated_at"]


class ReserveIn(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Reserve.Kind.choices, default=Reserve.Kind.CUSTOM)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                      default="0")
    due_date = serializers.DateField(required=False, allow_null=True)


class ReservePatchIn(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=Reserve.Kind.choices, required=False)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                      required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False, help_text="false closes the reserve.")


def _future(request, due, current=None):
    """The portal's rule: a due date already past is refused (unless it is the one it had)."""
    if due is not None and due != current and due < local_today(request.business.timezone):
        raise ApplicationError(f"The due date {due:%b %-d, %Y} has already passed.",
                               code="invalid_due_date")
    return due


_reserve = lookup(lambda: Reserve.objects.all())


class ReserveListView(list_view(lambda r: Reserve.objects.all(), ReserveOut,
                                ordering=("-active", "name", "id"))):
    @idempotent_write(request=ReserveIn, responses={201: ReserveOut})
    def post(self, request):
        data = validated(ReserveIn, request)
        fields = dict(data)
        fields["due_date"] = _future(request, fields.get("due_date"))
        reserve = reserve_create(actor=request.user, **fields)
        reserves_confirm(actor=request.user, business=request.business)
        return tagged(ReserveOut(reserve).data, status=201)


def _patch(request, reserve: Reserve, **fields) -> Reserve:
    if "due_date" in fields:
        fields["due_date"] = _future(request, fields["due_date"], current=reserve.due_date)
    return reserve_update(actor=request.user, reserve=reserve, **fields)


class ReserveDetailView(update_view(_reserve, _patch, ReserveOut, body=ReservePatchIn,
                                    method="patch")):
    @idempotent_write(if_match=True, request=None, responses={204: None})
    def delete(self, request, pk: int):
        """Close the reserve (refused while it holds money: release it first)."""
        with transaction.atomic():  # the ETag holds until the close commits (`locked`)
            reserve = locked(lambda: _reserve(pk))
            if_match_check(request, ReserveOut(reserve).data)
            reserve_update(actor=request.user, reserve=reserve, active=False)
        return Response(status=204)


class MoveIn(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EntryOut(serializers.ModelSerializer):
    amount = money("amount", None)
    reserve = ReserveOut()

    class Meta:
        model = ReserveEntry
        fields = ["id", "amount", "note", "actor_email", "created_at", "reserve"]


ReserveFundView = action_view(
    _reserve, lambda r, res, amount, note: reserve_fund(r.user, res, amount, note), EntryOut,
    body=MoveIn, status=201, doc="Set money aside: Reserved grows, Available shrinks.")
ReserveReleaseView = action_view(
    _reserve, lambda r, res, amount, note: reserve_release(r.user, res, amount, note), EntryOut,
    body=MoveIn, status=201, doc="Give money back to Available (never more than it holds).")


class ReservesConfirmView(APIView):
    """Onboarding: the owner looked at reserves, even if they set none (the portal's “skip”)."""

    @idempotent_write(request=None, responses={204: None})
    def post(self, request):
        reserves_confirm(actor=request.user, business=request.business)
        return Response(status=204)
