"""Reminder sequences and steps, customers' reminder settings and contacts, the reminder
emails with their sends, deliveries and events, the daily tick and the collections settings
(tenant schema)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from apps.ar.reminders.models import (
    CollectionsSettings,
    CustomerReminders,
    ReminderContact,
    ReminderDelivery,
    ReminderEmail,
    ReminderEvent,
    ReminderSend,
    ReminderSequence,
    ReminderStep,
    ReminderTick,
)

from .ar import CustomerFactory, InvoiceFactory
from .base import SingletonFactory, TenantFactory


class ReminderSequenceFactory(TenantFactory):
    class Meta:
        model = ReminderSequence
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Sequence {n}")


class ReminderStepFactory(TenantFactory):
    class Meta:
        model = ReminderStep

    sequence = factory.SubFactory(ReminderSequenceFactory)
    offset_days = factory.Sequence(lambda n: n % 60)
    subject = "Invoice {{ invoice_number }} is due"
    body = "Hello {{ customer_name }}, a friendly reminder."


class CustomerRemindersFactory(TenantFactory):
    class Meta:
        model = CustomerReminders
        django_get_or_create = ("customer",)

    customer = factory.SubFactory(CustomerFactory)


class ReminderContactFactory(TenantFactory):
    class Meta:
        model = ReminderContact

    customer = factory.SubFactory(CustomerFactory)
    email = factory.Sequence(lambda n: f"ap{n}@client.test")


class ReminderEmailFactory(TenantFactory):
    """One customer's reminder email for `day` (pending)."""

    class Meta:
        model = ReminderEmail

    customer = factory.SubFactory(CustomerFactory)
    day = factory.LazyFunction(date.today)


class ReminderSendFactory(TenantFactory):
    """One invoice's step inside a reminder email."""

    class Meta:
        model = ReminderSend

    email = factory.SubFactory(ReminderEmailFactory)
    invoice = factory.SubFactory(InvoiceFactory, customer=factory.SelfAttribute("..email.customer"))
    key = factory.LazyAttribute(lambda o: f"remind:{o.invoice.qbo_id}:{o.step_offset}")
    step_offset = 0
    scheduled_offset = factory.SelfAttribute("step_offset")
    tone = "friendly"
    balance = Decimal("100.00")


class ReminderDeliveryFactory(TenantFactory):
    class Meta:
        model = ReminderDelivery

    email = factory.SubFactory(ReminderEmailFactory)
    send_id = factory.Sequence(lambda n: f"remind-send-{n}")
    to = "ap@client.test"


class ReminderEventFactory(TenantFactory):
    class Meta:
        model = ReminderEvent

    delivery = factory.SubFactory(ReminderDeliveryFactory)
    event_type = "delivered"
    dedupe_key = factory.Sequence(lambda n: f"remind-event-{n}")


class ReminderTickFactory(TenantFactory):
    class Meta:
        model = ReminderTick
        django_get_or_create = ("day",)

    day = factory.LazyFunction(date.today)


class CollectionsSettingsFactory(SingletonFactory):
    """The business's one collections settings row (reminders off unless `enabled=True`)."""

    class Meta:
        model = CollectionsSettings
