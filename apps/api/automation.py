"""Automation rules and owner alerts over the API — the `apps.automation.rules` and
`apps.alerts.preferences` services the portal's Automation and Alerts pages call: the same
roles (bookkeepers propose and undo, owners switch on; alerts are the owner's), audit rows and
guardrails."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.alerts.models import Kind
from apps.alerts.preferences import alert_settings_set, webhook_test_send
from apps.alerts.services import alert_settings_get
from apps.api.base import command_view, list_view, model_out
from apps.api.conventions import idempotent_write, validated
from apps.automation.models import Rule, RuleAction
from apps.automation.rules import rule_action_undo, rule_save, rule_switch, rules_all
from apps.core.errors import NotFound


class RuleOut(serializers.ModelSerializer):
    class Meta:
        model = Rule
        fields = ["kind", "state", "params", "floor_days", "floor_amount", "stale_hours",
                  "proposed_by_email", "switched_on_by_email"]

    params = serializers.DictField()


class RuleIn(serializers.Serializer):
    params = serializers.DictField(required=False, default=dict,
                                   help_text="The rule's own fields (limit, days_before, …).")
    floor_days = serializers.DecimalField(max_digits=8, decimal_places=1, required=False,
                                          allow_null=True, min_value=0)
    floor_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                            allow_null=True, min_value=0)
    stale_hours = serializers.IntegerField(required=False, default=26, min_value=1,
                                           max_value=24 * 14)


def _kind(kind: str) -> str:
    if kind not in Rule.Kind.values:  # an unknown kind is a 404, like a foreign id
        raise NotFound("No such rule.")
    rules_all()  # the rules exist once anyone looks (as on the portal's page)
    return kind


class RuleListView(APIView):
    @extend_schema(responses=RuleOut(many=True))
    def get(self, request):
        return Response(RuleOut(rules_all(), many=True).data)


class RuleView(APIView):
    @idempotent_write(request=RuleIn, responses=RuleOut)
    def post(self, request, kind: str):
        """Save a rule's settings (a bookkeeper's save proposes it to the owner)."""
        _kind(kind)
        data = validated(RuleIn, request)
        given = data
        rule = rule_save(actor=request.user, kind=kind, params=given["params"],
                         floor_days=given.get("floor_days"),
                         floor_amount=given.get("floor_amount"),
                         stale_hours=given["stale_hours"])
        return Response(RuleOut(rule).data)


def _switch(on: bool):
    class SwitchView(APIView):
        @idempotent_write(request=None, responses=RuleOut)
        def post(self, request, kind: str):
            return Response(RuleOut(rule_switch(actor=request.user, kind=_kind(kind),
                                                on=on)).data)
    return SwitchView


RuleOnView = _switch(True)
RuleOffView = _switch(False)


RuleActionOut = model_out("RuleActionOut", RuleAction, [
    "id", "kind", "state", "target_type", "target_id", "amount", "summary", "reason",
    "reason_text", "undo_until", "created_at"])


RuleActionListView = list_view(lambda r: RuleAction.objects.all(), RuleActionOut,
                               ordering=("-created_at", "-id"), doc="What the rules did.")


class RuleActionUndoView(APIView):
    @idempotent_write(request=None, responses=RuleActionOut)
    def post(self, request, pk: int):
        """Undo a rule's action within its window (through the same services it used)."""
        get_object_or_404(RuleAction, pk=pk)
        return Response(RuleActionOut(rule_action_undo(actor=request.user, action_id=pk)).data)


# --- alerts (owner) ------------------------------------------------------------------------------

class AlertSettingsOut(serializers.Serializer):
    enabled_kinds = serializers.ListField(child=serializers.CharField())
    runway_days_threshold = serializers.IntegerField()
    sync_failing_hours = serializers.IntegerField()
    email_enabled = serializers.BooleanField()
    webhook = serializers.BooleanField(help_text="A webhook is set (its URL is a credential).")


class AlertSettingsIn(serializers.Serializer):
    enabled_kinds = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices))
    runway_days_threshold = serializers.IntegerField(min_value=1, max_value=365)
    sync_failing_hours = serializers.IntegerField(min_value=1, max_value=24 * 14)
    email_enabled = serializers.BooleanField()
    webhook_url = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                        default="", help_text="https only; empty removes it")


def _alerts_data() -> dict:
    row = alert_settings_get()
    return AlertSettingsOut({
        "enabled_kinds": [k for k in Kind.values if row.kind_enabled(k)],
        "runway_days_threshold": row.runway_days_threshold,
        "sync_failing_hours": row.sync_failing_hours, "email_enabled": row.email_enabled,
        "webhook": bool(row.webhook_url)}).data


class AlertSettingsView(APIView):
    @extend_schema(responses=AlertSettingsOut)
    def get(self, request):
        return Response(_alerts_data())

    @idempotent_write(request=AlertSettingsIn, responses=AlertSettingsOut)
    def put(self, request):
        data = validated(AlertSettingsIn, request)
        alert_settings_set(actor=request.user, business=request.business,
                           **data)
        return Response(_alerts_data())


class WebhookTestOut(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()


AlertWebhookTestView = command_view(
    lambda r: webhook_test_send(actor=r.user, business=r.business), WebhookTestOut,
    doc="Send one test message to the saved webhook now (audited; nothing is stored).")
