"""Collections over the API: reminder settings, sequences and their steps (owners), through
`apps.ar.reminders.sequences` like the portal's collections page."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.api.base import locked, lookup, model_out, update_view
from apps.api.conventions import idempotent_write, tagged, validated
from apps.ar.reminders import selectors
from apps.ar.reminders.models import ReminderSequence, ReminderStep, Tone
from apps.ar.reminders.sequences import (
    collections_settings,
    sequence_create,
    sequence_default,
    settings_save,
    step_delete,
    step_save,
)


class CollectionsSettingsOut(serializers.Serializer):
    enabled = serializers.BooleanField()
    pay_link = serializers.CharField(allow_blank=True)
    attach_pdfs = serializers.BooleanField()


class CollectionsSettingsIn(serializers.Serializer):
    enabled = serializers.BooleanField()
    pay_link = serializers.URLField(allow_blank=True, required=False, default="")
    attach_pdfs = serializers.BooleanField(required=False, default=True)


class CollectionsSettingsView(APIView):
    """Whether reminders go out, the pay link they carry, and PDF attachments."""

    @extend_schema(responses=CollectionsSettingsOut)
    def get(self, request):
        return tagged(CollectionsSettingsOut(collections_settings()).data)

    @idempotent_write(request=CollectionsSettingsIn, responses=CollectionsSettingsOut,
                      if_match=True)
    def put(self, request):
        with transaction.atomic():  # the ETag holds until the save commits (`locked`)
            current = locked(collections_settings)
            data = validated(CollectionsSettingsIn, request,
                             if_match=CollectionsSettingsOut(current).data)
            row = settings_save(actor=request.user, **data)
        return tagged(CollectionsSettingsOut(row).data)


StepOut = model_out("StepOut", ReminderStep, [
    "id", "sequence", "offset_days", "tone", "subject", "body", "cc_owner", "updated_at"])


class SequenceOut(serializers.ModelSerializer):
    steps = StepOut(many=True, read_only=True)

    class Meta:
        model = ReminderSequence
        fields = ["id", "name", "is_default", "steps"]


class SequenceIn(serializers.Serializer):
    name = serializers.CharField(max_length=80)


class SequenceListView(APIView):
    @extend_schema(responses=SequenceOut(many=True))
    def get(self, request):
        sequence_default()  # as the portal: the default exists once anyone looks
        return Response(SequenceOut(selectors.sequences(), many=True).data)

    @idempotent_write(request=SequenceIn, responses={201: SequenceOut})
    def post(self, request):
        """A new sequence, starting as a copy of the default's steps."""
        data = validated(SequenceIn, request)
        seq = sequence_create(actor=request.user, name=data["name"])
        return Response(SequenceOut(seq).data, status=201)


class StepIn(serializers.Serializer):
    offset_days = serializers.IntegerField(min_value=-60, max_value=365,
                                           help_text="days from the due date")
    tone = serializers.ChoiceField(choices=Tone.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10_000)
    cc_owner = serializers.BooleanField(required=False, default=False)


_sequence = lookup(lambda: ReminderSequence.objects.all())
_step = lookup(lambda: ReminderStep.objects.select_related("sequence"))


class SequenceStepsView(APIView):
    @idempotent_write(request=StepIn, responses={201: StepOut})
    def post(self, request, pk: int):
        """Add a step (merge fields are checked now, never at send time)."""
        sequence = _sequence(pk)
        data = validated(StepIn, request)
        step = step_save(actor=request.user, sequence=sequence, **data)
        return Response(StepOut(step).data, status=201)


def _step_edit(request, step: ReminderStep, **data) -> ReminderStep:
    return step_save(actor=request.user, sequence=step.sequence, step=step, **data)


class StepView(update_view(_step, _step_edit, StepOut, body=StepIn, method="put")):
    @idempotent_write(request=None, responses={204: None})
    def delete(self, request, pk: int):
        step_delete(actor=request.user, step=get_object_or_404(ReminderStep, pk=pk))
        return Response(status=204)
