"""Changing a customer's sequence never sends a step again: a hold keeps the customer's own
sequence and its release restores it, and a step that went counts as used by its offset (days
from due) in any sequence — "a week past due" went out on two days in a row before."""

from datetime import timedelta

import pytest
from django.core import mail

from apps.ar.reminders.manual import next_step
from apps.ar.reminders.models import CustomerReminders
from apps.ar.reminders.plan import reminders_plan
from apps.ar.reminders.send import reminders_tick
from apps.ar.reminders.sequences import (
    customer_hold,
    customer_mode_set,
    customer_release,
    sequence_create,
)
from tests.portal import factories as f
from tests.utils import client_for, in_tenant

pytestmark = pytest.mark.django_db


def _gentle_customer(rem, *, due_days_ago: int):
    with in_tenant(rem.business):
        c = f.customer("Gentle Co", "ap@gentle.test")
        inv = f.invoice(c, "100.00", rem.today - timedelta(days=due_days_ago), doc="G-1")
        gentle = sequence_create(actor=rem.owner, name="Gentle")
        customer_mode_set(actor=rem.owner, customer=c, mode="custom", sequence=gentle)
    return c, inv, gentle


def test_hold_then_release_from_the_tray_restores_the_customers_own_sequence(rem):
    c, _, gentle = _gentle_customer(rem, due_days_ago=7)
    client = client_for(rem.business, rem.bookkeeper)
    assert client.post(f"/customers/{c.pk}/hold/").status_code in (200, 302)
    with in_tenant(rem.business):
        row = CustomerReminders.objects.get(customer=c)
        assert (row.mode, row.sequence_id) == ("paused", gentle.pk)  # held, sequence kept
        (held,) = reminders_plan(rem.today, {}, include_held=True).emails
        assert held.held and held.lead.step.sequence_id == gentle.pk  # the preview's step
    assert client.post(f"/customers/{c.pk}/release/").status_code in (200, 302)
    with in_tenant(rem.business):
        row = CustomerReminders.objects.get(customer=c)
        assert (row.mode, row.sequence_id, row.held_at) == ("custom", gentle.pk, None)
        # Releasing a customer who is not held changes nothing.
        customer_release(actor=rem.bookkeeper, customer=c)
        assert CustomerReminders.objects.get(customer=c).mode == "custom"
        customer_mode_set(actor=rem.owner, customer=c, mode="never")
        customer_hold(actor=rem.bookkeeper, customer=c)
        customer_release(actor=rem.bookkeeper, customer=c)
        assert CustomerReminders.objects.get(customer=c).mode == "never"


def test_hold_and_release_do_not_send_a_step_again(rem):
    c, _, _ = _gentle_customer(rem, due_days_ago=7)
    with in_tenant(rem.business):
        reminders_tick(rem.business, rem.today, {})
        assert len(mail.outbox) == 1
        customer_hold(actor=rem.bookkeeper, customer=c)
        customer_release(actor=rem.bookkeeper, customer=c)
    reminders_tick(rem.business, rem.today + timedelta(days=1), {})
    assert len(mail.outbox) == 1


def test_another_sequence_does_not_send_a_step_of_the_same_offset_again(rem):
    c, inv, gentle = _gentle_customer(rem, due_days_ago=7)
    reminders_tick(rem.business, rem.today, {})
    (sent,) = mail.outbox
    assert "a week past due" in sent.subject
    with in_tenant(rem.business):
        customer_mode_set(actor=rem.owner, customer=c, mode="default")
        # Within the catch-up window the default's own step 7 is due; it already went.
        assert reminders_plan(rem.today + timedelta(days=1), {}).sendable == []
    reminders_tick(rem.business, rem.today + timedelta(days=1), {})
    assert len(mail.outbox) == 1
    # The default's next step still goes on its day, and "Send reminder" skips to it too.
    with in_tenant(rem.business):
        (e,) = reminders_plan(rem.today + timedelta(days=7), {}).sendable
        assert e.lead.step.offset_days == 14 and e.lead.step.sequence.is_default
        assert next_step(inv).step.offset_days == 14
