"""The owner's alerts (settings, alerts, deliveries) and automation rules with what they did
(tenant schema)."""

from __future__ import annotations

from datetime import date

import factory

from apps.alerts.models import Alert, AlertDelivery, AlertSettings, Kind
from apps.automation.models import Rule, RuleAction

from .base import SingletonFactory, TenantFactory


class AlertSettingsFactory(SingletonFactory):
    """The business's one alert settings row (every kind on unless `disabled_kinds`)."""

    class Meta:
        model = AlertSettings


class AlertFactory(TenantFactory):
    class Meta:
        model = Alert
        django_get_or_create = ("kind", "day")

    kind = Kind.CASH_ZERO
    day = factory.LazyFunction(date.today)
    title = "A week in the forecast runs out of cash"
    text = "Week of Dec 14 closes at -$1,200.00."


class AlertDeliveryFactory(TenantFactory):
    class Meta:
        model = AlertDelivery

    alert = factory.SubFactory(AlertFactory)
    channel = AlertDelivery.Channel.EMAIL
    recipient = "owner@example.test"
    send_id = factory.Sequence(lambda n: f"alert-send-{n}")


class RuleFactory(TenantFactory):
    """One automation rule, off unless `state=` says (one row per kind)."""

    class Meta:
        model = Rule
        django_get_or_create = ("kind",)

    kind = Rule.Kind.APPROVE


class RuleActionFactory(TenantFactory):
    """What a rule did to one object (done), keyed once per rule, object and occasion."""

    class Meta:
        model = RuleAction

    kind = Rule.Kind.APPROVE
    key = factory.Sequence(lambda n: f"approve:bill:{n}:100.00")
    state = RuleAction.State.DONE
    target_type = "bill"
    summary = "Approved a bill from a known vendor"
